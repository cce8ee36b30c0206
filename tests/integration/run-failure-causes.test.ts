/**
 * A failed run says why, and a truncated one warns, on the path of `npm start`: runs started through the API's route
 * handler, driven by the in-process Inngest runner through the real /api/inngest route (the generate-sitemap function's
 * own error handling), read back through GET /api/v1/runs/{id}. The failure is logged once, without a stack trace.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GET as getRun } from "@/app/api/v1/runs/[id]/route";
import { POST as create } from "@/app/api/v1/sitemaps/route";
import { POST as generate } from "@/app/api/v1/sitemaps/[id]/generate/route";
import { ZRunDto, type TRunDto } from "@/lib/schemas/runs";
import { waitForRun } from "@/lib/runs/wait";
import { page, startSite, type TestSite } from "@/tests/helpers/site";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { useLocalRunner } from "@/tests/helpers/local-runner";
import { ctx, req, seedUser, sitemapBody } from "@/tests/api/helpers";

let site: TestSite;

beforeAll(async () => {
  site = await startSite({
    "/robots.txt": { status: 404 },
    "/": { body: page(["/a", "/b", "/c"]) },
    "/a": { body: page() },
    "/b": { body: page() },
    "/c": { body: page() },
    "/moved": { status: 301, headers: { location: "https://www.example.org/" } },
  });
  vi.stubEnv("CRAWL_ALLOW_HOSTS", site.hostPort);
  vi.stubEnv("FILES_DIR", fs.mkdtempSync(path.join(os.tmpdir(), "sf-causes-")));
  vi.stubEnv("APP_URL", "http://sitemaps.test");
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await site.close();
});
afterEach(() => vi.restoreAllMocks());

for (const backend of testBackends()) {
  describe(`run failure causes and warnings on ${backend.name}`, () => {
    const t = useTestDb(backend);
    useLocalRunner(() => t.db, { backoffMs: () => 100 });

    /** Creates a sitemap, runs it to the end through the API and the job runner, and reads the run back via the API. */
    async function runOnce(body: Record<string, unknown>): Promise<TRunDto> {
      const alice = await seedUser();
      const sm = (await (await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody(body) }), ctx())).json()).data as { id: string };
      const res = await generate(req("POST", `/api/v1/sitemaps/${sm.id}/generate`, { key: alice.key }), ctx({ id: sm.id }));
      expect(res.status).toBe(202);
      const id = ((await res.json()).data as { id: string }).id;
      await waitForRun(id, 60_000);
      const got = await getRun(req("GET", `/api/v1/runs/${id}`, { key: alice.key }), ctx({ id }));
      return ZRunDto.strict().parse((await got.json()).data);
    }

    it("a 404 start URL fails with start_url_http_error and its status, logged once without a stack", { timeout: 90_000 }, async () => {
      const lines: string[] = [];
      const keep = (...a: unknown[]) => void lines.push(a.map((x) => (x instanceof Error ? `${x.message}\n${x.stack}` : String(x))).join(" "));
      vi.spyOn(console, "warn").mockImplementation(keep);
      vi.spyOn(console, "error").mockImplementation(keep);
      vi.spyOn(console, "log").mockImplementation(keep);
      const run = await runOnce({ startUrl: `${site.origin}/missing` });
      expect(run).toMatchObject({
        status: "failed",
        errorCode: "start_url_http_error",
        errorDetail: { status: 404, url: `${site.origin}/missing` },
        error: `The start URL ${site.origin}/missing answered HTTP 404.`,
        warnings: [],
      });
      expect(run.errorHint).toMatch(/typo in the path/);
      const mine = lines.filter((l) => l.includes(run.id));
      expect(mine).toEqual([`[runs] run ${run.id} failed: start_url_http_error: The start URL ${site.origin}/missing answered HTTP 404.`]);
      expect(lines.join("\n")).not.toMatch(/\n\s+at /);
    });

    it("a start URL that redirects off the origin offers the target as the new start URL", { timeout: 90_000 }, async () => {
      const run = await runOnce({ startUrl: `${site.origin}/moved` });
      expect(run).toMatchObject({
        status: "failed",
        errorCode: "start_url_redirect_off_origin",
        errorDetail: { status: 301, target: "https://www.example.org/", suggestedStartUrl: "https://www.example.org/" },
      });
      expect(run.errorHint).toContain("https://www.example.org/");
    });

    it("a run cut short by maxPages succeeds with the warning max_pages_reached", { timeout: 90_000 }, async () => {
      const run = await runOnce({ startUrl: `${site.origin}/`, crawl: { maxPages: 2, concurrency: 1 } });
      expect(run).toMatchObject({ status: "succeeded", warnings: ["max_pages_reached"], errorCode: null, errorHint: null, errorDetail: null });
      expect(run.excludedByReason.max_pages).toBe(2);
    });
  });
}
