import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { PGlite } from "@electric-sql/pglite";
import { GET } from "@/app/api/v1/sitemaps/route";
import { createDb, setDb, type Db } from "@/lib/db/client";
import { deployMigrations } from "@/lib/db/migrate";
import { insertSitemap } from "@/lib/db/sitemaps";
import { ctx, req, seedUser } from "./helpers";

// Issue 12 item 5: a GET /api/v1/sitemaps with a key seen in the last second is two statements — both counters;
// the page with its run facts and newest runs (lib/db/sitemap-page.ts) — whatever the page holds. Counted on PGlite,
// where every statement of the app (Prisma's adapter and lib/db/raw.ts alike) is a PGlite query/exec/transaction.
describe("statements of one GET /api/v1/sitemaps (PGlite)", () => {
  let db: Db;
  let pglite: PGlite;
  const sql: string[] = [];
  beforeAll(async () => {
    ({ db, pglite } = createDb("pglite:memory") as { db: Db; pglite: PGlite });
    await deployMigrations({ pglite });
    setDb(db, pglite);
    for (const m of ["query", "exec", "transaction"] as const) {
      const orig = (pglite[m] as (...a: unknown[]) => Promise<unknown>).bind(pglite);
      (pglite as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
        sql.push(m === "transaction" ? "(transaction)" : String(a[0]).replace(/\s+/g, " ").slice(0, 120));
        return orig(...a);
      };
    }
  });
  afterAll(async () => {
    await db.$disconnect();
    await pglite.close();
  });
  afterEach(() => vi.useRealTimers());

  it("is two statements for a cached key, with runs on the page or not", async () => {
    // Mid-minute, so the counted request opens no new counter window (which prunes the old ones once).
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2031-03-04T05:06:30.000Z"));
    const u = await seedUser();
    const sitemaps = [];
    for (let i = 0; i < 3; i++) sitemaps.push(await insertSitemap({ userId: u.id, data: { name: `S${i}`, startUrl: "https://a.example/", fileName: `f${i}` } }));
    const list = async () => {
      const res = await GET(req("GET", "/api/v1/sitemaps?limit=2", { key: u.key }), ctx());
      expect(res.status).toBe(200);
      return (await res.json()) as { data: { lastRun: { id: string } | null }[]; next_cursor: string | null };
    };
    await list(); // looks the key up (one statement with the counters) and opens today's and this minute's counters
    sql.length = 0;
    const plain = await list();
    expect(plain.data).toHaveLength(2);
    expect(sql, sql.join("\n")).toHaveLength(2);

    const run = await db.run.create({ data: { sitemapId: sitemaps[2].id, trigger: "api", status: "queued" } });
    sql.length = 0;
    const withRun = await list();
    expect(withRun.data[0].lastRun?.id).toBe(run.id);
    expect(sql, sql.join("\n")).toHaveLength(2);
  });
});
