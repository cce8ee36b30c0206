/**
 * POST /api/v1/sitemaps/{id}/submit end to end: the real route, the real `submit-sitemap` Inngest function driven by
 * the local runner, a fake IndexNow engine and a fake site (robots.txt, key file) on 127.0.0.1 (allow-listed through
 * CRAWL_ALLOW_HOSTS), on PGlite and PostgreSQL. Plus the submission log endpoints and GET /indexnow.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as getIndexNow, POST as indexNowPost } from "@/app/api/v1/sitemaps/[id]/indexnow/route";
import { GET as submitGet, POST as submit } from "@/app/api/v1/sitemaps/[id]/submit/route";
import { GET as sitemapSubmissions } from "@/app/api/v1/sitemaps/[id]/submissions/route";
import { GET as allSubmissions } from "@/app/api/v1/submissions/route";
import { GET as getBatchRoute } from "@/app/api/v1/submissions/[batchId]/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { getDb } from "@/lib/db/client";
import { ZListBody } from "@/lib/schemas/common";
import { ZIndexNowInfoDto, ZSubmissionBatchDto, ZSubmissionDto, type TSubmissionBatchDto } from "@/lib/schemas/submissions";
import { startFakeServer, type FakeServer } from "@/tests/helpers/fake-server";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { useLocalRunner } from "@/tests/helpers/local-runner";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser } from "./helpers";

let engine: FakeServer;
let site: FakeServer;
const saved = { ...process.env };

beforeAll(async () => {
  engine = await startFakeServer({ status: 200 });
  site = await startFakeServer();
  process.env.CRAWL_ALLOW_HOSTS = `${engine.hostPort},${site.hostPort}`;
  process.env.INDEXNOW_ENDPOINTS = `${engine.origin}/indexnow`;
  process.env.INDEXNOW_BASE_DELAY_MS = "50";
  process.env.INDEXNOW_MAX_ATTEMPTS = "3";
});
afterAll(async () => {
  process.env = saved;
  await engine.close();
  await site.close();
});
afterEach(() => mockSession(null));


for (const backend of testBackends()) {
  describe(`submission API on ${backend.name}`, () => {
    const t = useTestDb(backend);
    const jobs = useLocalRunner(() => t.db, { backoffMs: () => 100 });
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;

    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
    });
    beforeEach(() => {
      engine.requests.length = 0;
      site.requests.length = 0;
    });

    /** A sitemap of alice on the fake site, with a published run whose diff lists `n` changed URLs. */
    async function publishedSitemap(n: number, opts: { path?: string } = {}) {
      const db = getDb();
      const sm = await db.sitemap.create({
        data: { userId: alice.id, name: "Site", startUrl: `${site.origin}${opts.path ?? "/"}`, fileName: `f-${Math.random().toString(36).slice(2)}` },
      });
      const run = await db.run.create({ data: { sitemapId: sm.id, trigger: "api", status: "succeeded", finishedAt: new Date() } });
      const kinds = ["added", "changed", "removed"];
      for (let i = 0; i < n; i += 5000) {
        await db.runChange.createMany({
          data: Array.from({ length: Math.min(5000, n - i) }, (_, j) => ({ runId: run.id, url: `${site.origin}/p/${String(i + j).padStart(6, "0")}`, kind: kinds[(i + j) % 3] })),
        });
      }
      await db.sitemapFile.create({ data: { runId: run.id, sitemapId: sm.id, name: `${sm.fileName}.xml`, kind: "urlset", bytes: 1, urlCount: n, sha256: "x" } });
      await db.sitemap.update({ where: { id: sm.id }, data: { publishedRunId: run.id } });
      return { sm, run };
    }

    async function info(sitemapId: string) {
      const res = await getIndexNow(req("GET", `/api/v1/sitemaps/${sitemapId}/indexnow`, { key: alice.key }), ctx({ id: sitemapId }));
      expect(res.status).toBe(200);
      return ZIndexNowInfoDto.strict().parse((await res.json()).data);
    }

    const post = (sitemapId: string, query = "?wait=30", key = alice.key) =>
      submit(req("POST", `/api/v1/sitemaps/${sitemapId}/submit${query}`, { key }), ctx({ id: sitemapId }));
    const batchOf = async (res: Response): Promise<TSubmissionBatchDto> => ZSubmissionBatchDto.strict().parse((await res.json()).data);
    const entries = (b: TSubmissionBatchDto, engineName: string) => b.entries.filter((e) => e.engine === engineName);

    it("GET /indexnow generates a 32-hex key once and says where to serve it", async () => {
      const { sm } = await publishedSitemap(1);
      const a = await info(sm.id);
      expect(a.key).toMatch(/^[0-9a-f]{32}$/);
      expect(a).toMatchObject({ host: site.hostPort, keyLocation: `${site.origin}/${a.key}.txt`, fileContent: a.key, endpoints: [`${engine.origin}/indexnow`] });
      expect(a.sitemapUrl).toMatch(new RegExp(`/s/${sm.id}/${sm.fileName}\\.xml$`));
      expect(a.robotsLine).toBe(`Sitemap: ${a.sitemapUrl}`);
      expect((await info(sm.id)).key).toBe(a.key);
      expect((await getDb().sitemap.findUniqueOrThrow({ where: { id: sm.id } })).indexNowKey).toBe(a.key);
      const other = await getIndexNow(req("GET", `/api/v1/sitemaps/${sm.id}/indexnow`, { key: bob.key }), ctx({ id: sm.id }));
      await expectError(other, 404, "not_found");
      await expectError(await indexNowPost(req("POST", `/api/v1/sitemaps/${sm.id}/indexnow`, { key: alice.key }), ctx({ id: sm.id })), 405, "method_not_allowed");
    });

    it("25,000 changed URLs → 3 IndexNow requests (10,000 + 10,000 + 5,000); 429 is retried after Retry-After; robots.txt line found", async () => {
      const { sm, run } = await publishedSitemap(25_000);
      const k = await info(sm.id);
      site.route(`/${k.key}.txt`, { status: 200, body: k.key });
      site.route("/robots.txt", { status: 200, body: `User-agent: *\nDisallow: /admin/\n\n${k.robotsLine}\n` });
      engine.script("/indexnow", [{ status: 429, headers: { "retry-after": "1" } }, { status: 200 }, { status: 202 }, { status: 200 }]);

      const res = await post(sm.id);
      expect(res.status).toBe(200);
      expectRateLimitHeaders(res);
      const b = await batchOf(res);
      expect(res.headers.get("location")).toBe(`/api/v1/submissions/${b.batchId}`);
      expect(b).toMatchObject({ status: "ok", sitemapId: sm.id, runId: run.id, urlCount: 25_000 });
      const sends = entries(b, `indexnow:${engine.hostPort}`);
      expect(sends.map((e) => [e.status, e.httpStatus, e.urlCount, e.attempts])).toEqual([
        ["ok", 200, 10_000, 2],
        ["ok", 202, 10_000, 1],
        ["ok", 200, 5_000, 1],
      ]);
      expect(sends[0].durationMs).toBeGreaterThanOrEqual(950); // waited Retry-After: 1
      expect(entries(b, "robots.txt")).toEqual([expect.objectContaining({ status: "ok", httpStatus: 200, endpoint: `${site.origin}/robots.txt` })]);
      expect(entries(b, "batch")[0].message).toMatch(/25000 URL submission\(s\) accepted/);

      // What the engine received: 4 POSTs (one retried), each the documented JSON body.
      expect(engine.requests).toHaveLength(4);
      const bodies = engine.requests.map((r) => JSON.parse(r.body));
      expect(bodies.map((x) => x.urlList.length)).toEqual([10_000, 10_000, 10_000, 5_000]);
      for (const x of bodies) expect(x).toMatchObject({ host: site.hostPort, key: k.key, keyLocation: k.keyLocation });
      expect(new Set(bodies.slice(1).flatMap((x) => x.urlList)).size).toBe(25_000);
      // The key file was checked on the live site before sending.
      expect(site.requests.map((r) => r.path)).toEqual(expect.arrayContaining(["/robots.txt", `/${k.key}.txt`]));
    }, 60_000); // 25,000 rows seeded, four requests and a durable 1 s Retry-After sleep: slow on a loaded machine

    it("key file missing: a failed entry saying exactly where to put it, and no request to the engine", async () => {
      const { sm } = await publishedSitemap(3);
      const k = await info(sm.id);
      site.route("/robots.txt", { status: 200, body: "User-agent: *\nDisallow:\n" });
      const b = await batchOf(await post(sm.id));
      expect(b.status).toBe("failed");
      const [keyEntry] = entries(b, "indexnow-key");
      expect(keyEntry).toMatchObject({ status: "failed", httpStatus: 404, endpoint: k.keyLocation, urlCount: 3 });
      expect(keyEntry.message).toContain(`Serve a UTF-8 text file at ${k.keyLocation} whose whole content is ${k.key}`);
      expect(keyEntry.message).toContain("Nothing was sent to IndexNow");
      const [robots] = entries(b, "robots.txt");
      expect(robots.status).toBe("failed");
      expect(robots.message).toContain(`no "${k.robotsLine}" line`);
      expect(engine.requests).toHaveLength(0);
    });

    for (const [status, meaning] of [[400, /Bad request/], [403, /key not valid/], [422, /do not belong to the host/]] as const) {
      it(`engine answers ${status}: final failure with its meaning, not retried`, async () => {
        const { sm } = await publishedSitemap(2);
        const k = await info(sm.id);
        site.route(`/${k.key}.txt`, { status: 200, body: k.key });
        engine.script("/indexnow", [{ status, body: "nope" }]);
        const b = await batchOf(await post(sm.id));
        expect(b.status).toBe("failed");
        const [send] = entries(b, `indexnow:${engine.hostPort}`);
        expect(send).toMatchObject({ status: "failed", httpStatus: status, attempts: 1, urlCount: 2 });
        expect(send.message).toMatch(meaning);
        expect(engine.requests).toHaveLength(1);
      });
    }

    it("5xx is retried up to the attempt cap, then failed", async () => {
      const { sm } = await publishedSitemap(2);
      const k = await info(sm.id);
      site.route(`/${k.key}.txt`, { status: 200, body: k.key });
      engine.script("/indexnow", [{ status: 503 }, { status: 502 }, { status: 500 }, { status: 200 }]);
      const b = await batchOf(await post(sm.id));
      const [send] = entries(b, `indexnow:${engine.hostPort}`);
      expect(send).toMatchObject({ status: "failed", httpStatus: 500, attempts: 3 });
      expect(engine.requests).toHaveLength(3);
    });

    it("no changed URLs: IndexNow skipped, batch ok", async () => {
      const { sm } = await publishedSitemap(0);
      const b = await batchOf(await post(sm.id));
      expect(b.status).toBe("ok");
      expect(entries(b, "indexnow")[0]).toMatchObject({ status: "skipped", urlCount: 0 });
      expect(engine.requests).toHaveLength(0);
    });

    it("without ?wait: 202 with the pending batch, then GET /submissions/{batchId} shows it finished", async () => {
      const { sm } = await publishedSitemap(1);
      const k = await info(sm.id);
      site.route(`/${k.key}.txt`, { status: 200, body: k.key });
      const res = await post(sm.id, "");
      expect(res.status).toBe(202);
      const b = await batchOf(res);
      expect(b.status).toBe("pending");
      await jobs.current.idle();
      const got = await getBatchRoute(req("GET", `/api/v1/submissions/${b.batchId}`, { key: alice.key }), ctx({ batchId: b.batchId }));
      expect((await batchOf(got)).status).toBe("ok");
      await expectError(await getBatchRoute(req("GET", `/api/v1/submissions/${b.batchId}`, { key: bob.key }), ctx({ batchId: b.batchId })), 404, "not_found");
    });

    it("errors: 409 nothing published, 404 another account's sitemap, 403 key without `submit`, 422 bad wait, 405", async () => {
      const db = getDb();
      const fresh = await db.sitemap.create({ data: { userId: alice.id, name: "New", startUrl: `${site.origin}/`, fileName: `n-${Date.now()}` } });
      await expectError(await post(fresh.id), 409, "conflict");
      const { sm } = await publishedSitemap(1);
      await expectError(await post(sm.id, "", bob.key), 404, "not_found");
      const readOnly = await issueApiKey({ userId: alice.id, name: "ro", scopes: ["read"] });
      await expectError(await post(sm.id, "", readOnly.key), 403, "forbidden");
      const bad = await post(sm.id, "?wait=abc");
      expect(bad.status).toBe(422);
      expect((await bad.json()).error.field).toBe("wait");
      expect((await post(sm.id, "?wait=61")).status).toBe(422);
      await expectError(await submitGet(req("GET", `/api/v1/sitemaps/${sm.id}/submit`, { key: alice.key }), ctx({ id: sm.id })), 405, "method_not_allowed");
      expect(await db.submission.count({ where: { sitemapId: { in: [fresh.id, sm.id] } } })).toBe(0);
    });

    it("the log: GET /submissions and /sitemaps/{id}/submissions with filters, sort and cursor; errors", async () => {
      const { sm } = await publishedSitemap(0);
      const b1 = await batchOf(await post(sm.id));
      const b2 = await batchOf(await post(sm.id));
      const list = async (path: string, key = alice.key) => {
        const res = await (path.startsWith("/api/v1/submissions") ? allSubmissions : sitemapSubmissions)(req("GET", path, { key }), ctx({ id: sm.id }));
        return res;
      };
      const one = ZListBody(ZSubmissionDto.strict()).parse(await (await list(`/api/v1/submissions?filter[batchId]=${b1.batchId}&sort=createdAt:asc`)).json());
      expect(one.data.map((e) => e.engine)).toEqual(b1.entries.map((e) => e.engine));
      const mine = ZListBody(ZSubmissionDto).parse(await (await list(`/api/v1/sitemaps/${sm.id}/submissions?size=2`)).json());
      expect(mine.data).toHaveLength(2);
      expect(mine.next_cursor).not.toBeNull();
      const rest = ZListBody(ZSubmissionDto).parse(await (await list(`/api/v1/sitemaps/${sm.id}/submissions?size=100&cursor=${mine.next_cursor}`)).json());
      expect(mine.data.length + rest.data.length).toBe(b1.entries.length + b2.entries.length);
      const skipped = ZListBody(ZSubmissionDto).parse(await (await list(`/api/v1/sitemaps/${sm.id}/submissions?filter[status]=skipped`)).json());
      expect(skipped.data.map((e) => e.batchId).sort()).toEqual([b1.batchId, b2.batchId].sort());
      await expectError(await list(`/api/v1/submissions?sort=secret:asc`), 400, "unknown_field", "secret");
      await expectError(await list(`/api/v1/submissions?filter[status]=great`), 400, "invalid_value", "filter[status]");
      await expectError(await list(`/api/v1/sitemaps/${sm.id}/submissions`, bob.key), 404, "not_found");
      const theirs = ZListBody(ZSubmissionDto).parse(await (await list(`/api/v1/submissions`, bob.key)).json());
      expect(theirs.data).toEqual([]);
    });
  });
}
