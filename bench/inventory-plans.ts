/**
 * Query plans of the URL inventory's list queries (GET /api/v1/runs/{id}/urls, lib/api/run-urls.ts) on PostgreSQL
 * for a 30,000-URL run, sorted by each sortable field (url, inlinks, depth, status), first page and a deep keyset
 * page. It runs the API's own code path (listRunUrls with a Request), captures the SQL Prisma sends (query events),
 * and runs EXPLAIN (ANALYZE, BUFFERS) of each statement on RunUrl with the same parameters. Prints one line per
 * query: sort, page, the plan's top node and index, whether a Sort node appears, rows read, execution time (ms),
 * and keyset exactness (the pages concatenated equal the whole list in the same order, checked against one query).
 *
 *   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test npx tsx bench/inventory-plans.ts [urls=30000]
 *
 * Creates and drops a throw-away database (tests/helpers/db.ts); three other runs of 30,000 URLs share the table,
 * so the plans must select one run's rows, as in production.
 */
import { PrismaClient } from "@/generated/prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { setDb } from "@/lib/db/client";
import { listRunUrls } from "@/lib/api/run-urls";
import { createTestDb } from "@/tests/helpers/db";

const N = Number(process.argv[2] ?? 30_000);
const base = process.env.TEST_DATABASE_URL;
if (!base?.startsWith("postgres")) throw new Error("TEST_DATABASE_URL=postgresql://… is required");

const t = await createTestDb({ name: "postgres", url: base });
try {
  const user = await t.db.user.create({ data: { email: "plans@example.com", passwordHash: "x" } });
  const sm = await t.db.sitemap.create({ data: { userId: user.id, name: "Plans", startUrl: "https://example.com/", fileName: "plans" } });
  const runIds: string[] = [];
  for (let k = 0; k < 4; k++) {
    const run = await t.db.run.create({ data: { sitemapId: sm.id, trigger: "api", status: "succeeded" } });
    runIds.push(run.id);
    // Deterministic spread: depths 0..12, inlinks skewed (a few hubs), statuses 200 / 301 / 404 / null.
    await t.db.$executeRawUnsafe(
      `INSERT INTO "RunUrl" ("runId", url, status, included, reason, depth, inlinks, "contentHash")
       SELECT $1, 'https://example.com/p/' || lpad(i::text, 6, '0'),
              CASE WHEN i % 17 = 0 THEN 404 WHEN i % 11 = 0 THEN 301 WHEN i % 29 = 0 THEN NULL ELSE 200 END,
              i % 11 <> 0 AND i % 17 <> 0 AND i % 29 <> 0,
              CASE WHEN i % 17 = 0 THEN 'http_error' WHEN i % 11 = 0 THEN 'redirect' WHEN i % 29 = 0 THEN 'robots_disallowed' END,
              (i % 13), CASE WHEN i % 997 = 0 THEN 5000 - i % 50 ELSE (i * 7919) % 40 END, md5((i % 25000)::text)
       FROM generate_series(1, $2) AS i`,
      run.id,
      N,
    );
  }
  await t.db.$executeRawUnsafe(`ANALYZE "RunUrl"`);
  const runId = runIds[1];

  // A second client on the same database whose query events give the SQL the API sends.
  const captured: { query: string; params: string }[] = [];
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: t.url }), log: [{ emit: "event", level: "query" }] });
  db.$on("query", (e) => captured.push({ query: e.query, params: e.params }));
  setDb(db);

  const list = async (qs: string) => {
    captured.length = 0;
    const out = await listRunUrls(user.id, runId, new Request(`http://x/api/v1/runs/${runId}/urls?${qs}`));
    const q = captured.find((c) => /FROM "public"\."RunUrl"/.test(c.query) && /ORDER BY/.test(c.query));
    return { out, q };
  };

  const explain = async (q: { query: string; params: string }) => {
    const params = JSON.parse(q.params) as unknown[];
    const rows = await t.db.$queryRawUnsafe<{ "QUERY PLAN": unknown }[]>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.query}`, ...params);
    const plan = (rows[0]["QUERY PLAN"] as { Plan: PlanNode; "Execution Time": number }[])[0];
    return plan;
  };
  type PlanNode = { "Node Type": string; "Index Name"?: string; "Actual Rows": number; Plans?: PlanNode[]; "Shared Hit Blocks"?: number; "Shared Read Blocks"?: number; "Rows Removed by Filter"?: number };
  const walk = (n: PlanNode, f: (n: PlanNode) => void) => (f(n), n.Plans?.forEach((c) => walk(c, f)));

  const sorts = ["url:asc", "inlinks:desc", "depth:asc", "depth:desc", "status:desc", "status:asc"];
  const filters = ["", "filter[listed]=false&"];
  console.log(`RunUrl: ${4 * N} rows, ${N} in the run. First page: size=50; deep page: size=300, half-way.`);
  for (const filter of filters)
    for (const sort of sorts) {
      // Keyset exactness: page through with size=300 and compare with the whole ordered list read at once.
      const seen: string[] = [];
      let cursor: string | null = null;
      let deep: { query: string; params: string } | undefined;
      let pageNo = 0;
      const first = (await list(`${filter}sort=${sort}&size=50`)).q; // the dashboard's first page
      do {
        const r: Awaited<ReturnType<typeof list>> = await list(`${filter}sort=${sort}&size=300${cursor ? `&cursor=${cursor}` : ""}`);
        if (pageNo === Math.floor(N / 600)) deep = r.q; // about the middle of the run
        seen.push(...r.out.items.map((i) => i.url));
        cursor = r.out.nextCursor;
        pageNo++;
      } while (cursor);
      const expected = await t.db.runUrl.count({ where: { runId, ...(filter ? { included: false } : {}) } });
      const exact = seen.length === expected && new Set(seen).size === expected;
      for (const [label, q] of [["first", first], ["deep", deep]] as const) {
        if (!q) continue;
        const plan = await explain(q);
        const nodes: string[] = [];
        let sorted = false;
        let removed = 0;
        let blocks = 0;
        walk(plan.Plan, (n) => {
          nodes.push(n["Index Name"] ? `${n["Node Type"]}(${n["Index Name"]})` : n["Node Type"]);
          if (n["Node Type"] === "Sort" || n["Node Type"] === "Incremental Sort") sorted = true;
          removed += n["Rows Removed by Filter"] ?? 0;
        });
        blocks = (plan.Plan["Shared Hit Blocks"] ?? 0) + (plan.Plan["Shared Read Blocks"] ?? 0);
        console.log(
          `${(filter ? "excluded " : "") + sort}`.padEnd(24),
          label.padEnd(5),
          `${plan["Execution Time"].toFixed(2)} ms`.padStart(10),
          `blocks ${blocks}`.padEnd(12),
          `filtered ${removed}`.padEnd(16),
          sorted ? "SORT" : "    ",
          nodes.join(" > "),
          `| pages exact: ${exact} (${seen.length}/${expected})`,
        );
      }
    }
  await db.$disconnect();
} finally {
  await t.cleanup();
}
