/**
 * The `refresh-feed` Inngest function driven by the in-process local runner through the real /api/inngest route
 * (PGlite): POST /api/v1/feeds/{id}/refresh → event → job → published file; a robots.txt refusal is final (one
 * attempt, no retries) and recorded on the feed.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, req, seedUser } from "@/tests/api/helpers";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

let server: http.Server;
let origin = "";
beforeAll(async () => {
  server = http.createServer((rq, res) => {
    if (rq.url === "/robots.txt") return res.writeHead(200, { "content-type": "text/plain" }).end("User-agent: *\nDisallow: /secret\n");
    if (rq.url === "/news" || rq.url === "/secret") return res.writeHead(200, { "content-type": "text/html" }).end('<a href="/n/1">One</a><a href="/n/2">Two</a>');
    if (rq.url?.startsWith("/n/")) return res.writeHead(200, { "content-type": "text/html" }).end(`<title>Story ${rq.url.slice(3)}</title>`);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-feed-job-"));
  process.env.APP_URL = "http://sitemaps.test";
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("refresh-feed through the local runner", () => {
  const t = useTestDb(testBackends()[0]);

  it("POST /refresh runs the job: items saved, file published; a robots refusal fails once, without retries", async () => {
    const start = await import("@/lib/jobs/start-local");
    const { POST: refresh } = await import("@/app/api/v1/feeds/[id]/refresh/route");
    const { readFeedFile } = await import("@/lib/feeds/files");
    const runner = await start.startLocalRunner({ db: () => t.db, route: () => import("@/app/api/inngest/route") });
    try {
      expect(runner.functions.map((f) => f.id)).toContain("sitemap-forge-refresh-feed");
      const user = await seedUser();
      const ok = await t.db.feed.create({ data: { userId: user.id, name: "ok", foundUrl: `${origin}/news` } });
      const res = await refresh(req("POST", `/api/v1/feeds/${ok.id}/refresh`, { key: user.key }), ctx({ id: ok.id }));
      expect(res.status).toBe(202);
      await runner.idle();
      expect(await t.db.feed.findUnique({ where: { id: ok.id } })).toMatchObject({ status: "succeeded", lastError: null, lastCost: 1 });
      expect((await t.db.feedItem.findMany({ where: { feedId: ok.id }, orderBy: { position: "asc" } })).map((i) => i.title)).toEqual(["Story 1", "Story 2"]);
      expect((await readFeedFile(ok.id))!.bytes.toString("utf8")).toContain("<title>Story 1</title>");

      const bad = await t.db.feed.create({ data: { userId: user.id, name: "bad", foundUrl: `${origin}/secret` } });
      expect((await refresh(req("POST", `/api/v1/feeds/${bad.id}/refresh`, { key: user.key }), ctx({ id: bad.id }))).status).toBe(202);
      await runner.idle();
      expect(await t.db.feed.findUnique({ where: { id: bad.id } })).toMatchObject({ status: "failed", lastError: expect.stringMatching(/disallows/) });
      const jobs = await t.db.jobRun.findMany({ where: { fnId: "sitemap-forge-refresh-feed" } });
      expect(jobs).toHaveLength(2);
      const failed = jobs.find((j) => JSON.stringify(j.event).includes(bad.id));
      expect(failed).toMatchObject({ status: "failed", attempt: 0 }); // NonRetriableError: one attempt
      expect(jobs.find((j) => j !== failed)).toMatchObject({ status: "completed" });
    } finally {
      await start.stopLocalRunner();
    }
  });
});
