/**
 * The run facts of one page of sitemaps (20) as their runs pile up: the reads GET /api/v1/sitemaps made before
 * (a Prisma `distinct` for the newest run of each sitemap — which Prisma does in memory, reading every run of the page's
 * sitemaps with its audit — plus the last success the same way) against lib/db/sitemap-facts.ts (one statement) plus
 * the newest runs' DTOs by id. Seeds a throw-away database with 20 sitemaps × RUNS runs (default 300), then alternates
 * the two REPS times (default 9) and prints the median ms of each:
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h12api_facts RUNS=300 npx tsx bench/sitemap-facts.ts
 * (DATABASE_URL=pglite:/tmp/x for the embedded database). Errors: exits 1 with the database's message.
 */
import { deployMigrations } from "../lib/db/migrate";
import { getDb } from "../lib/db/client";
import { databaseUrl } from "../lib/db/url";
import { sitemapFacts } from "../lib/db/sitemap-facts";
import { runDtosByIds, toRunDto } from "../lib/db/runs";
import { RUN_AUDIT_BRIEF_SELECT } from "../lib/db/run-audit";
import { insertSitemap } from "../lib/db/sitemaps";
import { createUser } from "../lib/db/users";

const RUNS = Number(process.env.RUNS ?? 300);
const REPS = Number(process.env.REPS ?? 9);

await deployMigrations({ url: databaseUrl() });
const db = getDb();
const user = await createUser({ email: `facts-${Date.now()}@example.com`, password: "bench-password-123" });
const rows: { id: string; publishedRunId: string | null }[] = [];
for (let i = 0; i < 20; i++) {
  const s = await insertSitemap({ userId: user.id, data: { name: `F ${i}`, startUrl: "https://example.com/", fileName: `f-${i}` } });
  const t0 = Date.UTC(2030, 0, 1);
  await db.run.createMany({
    data: Array.from({ length: RUNS }, (_, k) => ({
      sitemapId: s.id,
      trigger: "api" as const,
      status: k % 3 === 0 ? ("failed" as const) : ("succeeded" as const),
      createdAt: new Date(t0 + k * 3_600_000),
      finishedAt: new Date(t0 + k * 3_600_000 + 60_000),
    })),
  });
  rows.push({ id: s.id, publishedRunId: null });
}
const ids = rows.map((r) => r.id);

/** The reads of lib/api/sitemaps.ts before sitemap-facts.ts (newest run DTOs and last successes, by Prisma `distinct`). */
async function before() {
  const [runs, succeeded] = await Promise.all([
    db.run.findMany({ where: { sitemapId: { in: ids } }, orderBy: [{ createdAt: "desc" }], distinct: ["sitemapId"], include: { audit: { select: RUN_AUDIT_BRIEF_SELECT } } }),
    db.run.findMany({ where: { sitemapId: { in: ids }, status: "succeeded", finishedAt: { not: null } }, orderBy: [{ finishedAt: "desc" }], distinct: ["sitemapId"], select: { sitemapId: true, finishedAt: true } }),
  ]);
  return runs.map(toRunDto).length + succeeded.length;
}

async function after() {
  const facts = await sitemapFacts(rows);
  const runs = await runDtosByIds([...facts.values()].flatMap((f) => (f.latestRun ? [f.latestRun.id] : [])));
  return runs.size + [...facts.values()].filter((f) => f.lastSucceededAt).length;
}

const times: Record<string, number[]> = { before: [], after: [] };
for (let i = 0; i < REPS; i++) {
  for (const [name, fn] of [["before", before], ["after", after]] as const) {
    const t = performance.now();
    const n = await fn();
    times[name].push(performance.now() - t);
    if (n !== 40) throw new Error(`${name}: expected 20 newest runs and 20 last successes, got ${n}`);
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`20 sitemaps × ${RUNS} runs, ${REPS} alternating reps: before ${median(times.before).toFixed(1)} ms, after ${median(times.after).toFixed(1)} ms (medians)`);
await db.$disconnect();
process.exit(0);
