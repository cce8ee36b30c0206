import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { deployMigrations } from "./migrate";

for (const backend of testBackends()) {
  describe(`database on ${backend.name}`, () => {
    const t = useTestDb(backend);

    it("has every migration applied and a second deploy applies nothing", async () => {
      const rows = await t.db.$queryRawUnsafe<{ migration_name: string; finished_at: Date | null }[]>(
        `SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`,
      );
      const folders = readdirSync("prisma/migrations", { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
      expect(rows.map((r) => r.migration_name)).toEqual(folders);
      expect(rows.every((r) => r.finished_at !== null)).toBe(true);
      if (backend.name === "postgres") expect(await deployMigrations({ url: t.url })).toEqual([]);
    });

    it("enforces a unique fileName per account", async () => {
      const user = await t.db.user.create({ data: { email: `u-${backend.name}@example.com`, passwordHash: "x" } });
      const data = { userId: user.id, name: "Docs", startUrl: "http://127.0.0.1:8081/", fileName: "docs" };
      await t.db.sitemap.create({ data });
      await expect(t.db.sitemap.create({ data })).rejects.toMatchObject({ code: "P2002" });
    });
  });
}
