import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { deployMigrations } from "./migrate";
import { Prisma } from "@/generated/prisma/client";
import { executeDirect } from "./raw";

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

    it("executeDirect runs a Prisma.sql statement on the driver with the same result as $executeRaw; a Date is stored as the same instant", async () => {
      const user = await t.db.user.create({ data: { email: `direct-${backend.name}@example.com`, passwordHash: "x" } });
      const rows = JSON.stringify([{ name: 'a "quoted" name', file: "f1" }, { name: "ü, ✓", file: "f2" }]);
      await executeDirect(
        t.db,
        Prisma.sql`INSERT INTO "Sitemap" ("id", "userId", "name", "startUrl", "fileName", "updatedAt")
          SELECT 'direct-' || r.file, ${user.id}, r.name, ${"http://127.0.0.1:8081/"}, r.file, now()
          FROM jsonb_to_recordset(${rows}::jsonb) AS r(name text, file text)`,
      );
      const stored = await t.db.sitemap.findMany({ where: { userId: user.id }, orderBy: { fileName: "asc" }, select: { name: true, fileName: true } });
      expect(stored).toEqual([{ name: 'a "quoted" name', fileName: "f1" }, { name: "ü, ✓", fileName: "f2" }]);
      // A Date is sent as its UTC wall time (lib/db/raw.ts), not in the process's local time zone as pg would.
      const at = new Date("2026-11-20T08:00:00.000Z");
      await executeDirect(t.db, Prisma.sql`UPDATE "Sitemap" SET "updatedAt" = ${at} WHERE "userId" = ${user.id}`);
      const dates = await t.db.sitemap.findMany({ where: { userId: user.id }, select: { updatedAt: true } });
      expect(dates.map((d) => d.updatedAt.toISOString())).toEqual([at.toISOString(), at.toISOString()]);
      // A database error reaches the caller.
      await expect(executeDirect(t.db, Prisma.sql`INSERT INTO "Sitemap" ("id") VALUES (${"x"})`)).rejects.toThrow();
    });

    it("enforces a unique fileName per account", async () => {
      const user = await t.db.user.create({ data: { email: `u-${backend.name}@example.com`, passwordHash: "x" } });
      const data = { userId: user.id, name: "Docs", startUrl: "http://127.0.0.1:8081/", fileName: "docs" };
      await t.db.sitemap.create({ data });
      await expect(t.db.sitemap.create({ data })).rejects.toMatchObject({ code: "P2002" });
    });
  });
}
