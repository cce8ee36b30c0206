/**
 * AnQiCMS adapter: replays the requests of anqicms-sitemap-update.txt (the raw multipart example, both curl calls) and
 * checks the documented answers and error codes; runs are the native ones (finished here by the test, as a worker would).
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as createSitemap } from "@/app/api/v1/sitemaps/route";
import { GET as getImport, POST as postImport } from "@/app/api/import/sitemap/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { anqiUpdateSitemap, ANQI_MSG, syncWaitMs } from "@/lib/compat/anqicms";
import { finishRun, getRunForUser } from "@/lib/db/runs";
import { getDb } from "@/lib/db/client";
import { latestRunOf } from "@/tests/helpers/runs";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { BASE, ctx, expectRateLimitHeaders, req, seedUser, sitemapBody } from "@/tests/api/helpers";

const BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
const DOC_MULTIPART = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="async"\r\n\r\n1\r\n--${BOUNDARY}--\r\n`;

function anqi(token: string | null, init: { body?: string; type?: string; query?: string } = {}): Request {
  const q = new URLSearchParams();
  if (token !== null) q.set("token", token);
  const headers = new Headers({ "content-type": init.type ?? "multipart/form-data" });
  return new Request(`${BASE}/api/import/sitemap?${q}${init.query ?? ""}`, { method: "POST", headers, body: init.body });
}

const call = async (r: Request) => {
  const res = await postImport(r, ctx());
  return { res, body: (await res.json()) as { code: number; msg: string; data?: Record<string, unknown> } };
};

/** Waits until the sitemap has a queued run and finishes it as a worker would. */
async function finishNextRun(userId: string, sitemapId: string, outcome: "succeeded" | "failed") {
  for (let i = 0; i < 200; i++) {
    const run = await latestRunOf({ sitemapId, userId });
    if (run && (run.status === "queued" || run.status === "running")) {
      await finishRun(run.id, outcome === "succeeded" ? { status: "succeeded", bytesWritten: 10, filesWritten: 1, urlsWritten: 1 } : { status: "failed", error: "site unreachable" });
      return run.id;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no run was started");
}

for (const backend of testBackends()) {
  describe(`AnQiCMS adapter on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let sitemapId: string;

    const newSitemap = async (key: string, over: Record<string, unknown> = {}) =>
      (await (await createSitemap(req("POST", "/api/v1/sitemaps", { key, body: sitemapBody(over) }), ctx())).json()).data as {
        id: string;
        fileName: string;
      };

    beforeAll(async () => {
      alice = await seedUser();
      sitemapId = (await newSitemap(alice.key)).id;
    });

    it("the document's multipart request (async=1) → {code:0, msg:已提交后台处理…} at once, with a queued native run", async () => {
      const { res, body } = await call(anqi(alice.key, { type: `multipart/form-data; boundary=${BOUNDARY}`, body: DOC_MULTIPART }));
      expect(res.status).toBe(200);
      expectRateLimitHeaders(res);
      expect(body).toMatchObject({ code: 0, msg: "已提交后台处理,请稍后查看结果" });
      expect(body.data).toMatchObject({ sitemap_id: sitemapId, run_id: expect.any(String), status: "queued" });
      const run = await getRunForUser({ runId: body.data!.run_id as string, userId: alice.id });
      expect(run).toMatchObject({ status: "queued", trigger: "api", sitemapId });
      await finishRun(run!.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
    });

    it("synchronous mode (curl without -F) waits for the run → {code:0, msg:\"Sitemap更新完成\"}", async () => {
      const pending = call(anqi(alice.key));
      const runId = await finishNextRun(alice.id, sitemapId, "succeeded");
      const { res, body } = await pending;
      expect(res.status).toBe(200);
      expect(body).toEqual({ code: 0, msg: "Sitemap更新完成", data: { sitemap_id: sitemapId, run_id: runId, status: "succeeded" } });
    });

    it("synchronous mode with a failed run → code -1 with the reason", async () => {
      const pending = call(anqi(alice.key, { type: "application/x-www-form-urlencoded", body: "async=" }));
      await finishNextRun(alice.id, sitemapId, "failed");
      const { body } = await pending;
      expect(body.code).toBe(-1);
      expect(body.msg).toContain("site unreachable");
      expect(body.data).toMatchObject({ status: "failed" });
    });

    it("synchronous mode past its bound answers code -1 (never 0 while the run is still going); the run goes on", async () => {
      const sm = await newSitemap(alice.key);
      const principal = { userId: alice.id, via: "key" as const, scopes: ["generate" as const], plan: "starter" as const };
      const res = await anqiUpdateSitemap(principal, { sitemap: sm.fileName }, 50);
      const body = await res.json();
      expect(body).toMatchObject({ code: -1, msg: ANQI_MSG.stillRunning, data: { sitemap_id: sm.id, status: "queued" } });
      // the default bound is the documented 15 minutes
      expect(syncWaitMs()).toBe(900_000);
      vi.stubEnv("ANQICMS_SYNC_WAIT_SECONDS", "30");
      expect(syncWaitMs()).toBe(30_000);
      vi.unstubAllEnvs();
      await finishRun(body.data.run_id, { status: "cancelled" });
    });

    it("the `sitemap` field names a sitemap by fileName, number or id; an unknown one is code -1", async () => {
      const sm = await newSitemap(alice.key);
      const byName = await call(anqi(alice.key, { type: "application/x-www-form-urlencoded", body: `async=1&sitemap=${sm.fileName}` }));
      expect(byName.body).toMatchObject({ code: 0, data: { sitemap_id: sm.id } });
      await finishRun(byName.body.data!.run_id as string, { status: "cancelled" });
      const unknown = await call(anqi(alice.key, { type: "application/x-www-form-urlencoded", body: "async=1&sitemap=nope" }));
      expect(unknown.body).toMatchObject({ code: -1, msg: expect.stringContaining("nope") });
    });

    it("triggers during an active run are not lost: exactly one follow-up run after it (async code 0 at once; sync waits for it)", async () => {
      const sm = await newSitemap(alice.key);
      const asyncCall = () => call(anqi(alice.key, { type: "application/x-www-form-urlencoded", body: `async=1&sitemap=${sm.id}` }));
      const first = await asyncCall();
      expect(first.body.code).toBe(0);
      const activeId = first.body.data!.run_id as string;
      // three more publishes while it runs: each code 0, one follow-up between them
      for (let i = 0; i < 3; i++) {
        const again = await asyncCall();
        expect(again.res.status).toBe(200);
        expect(again.body).toEqual({ code: 0, msg: ANQI_MSG.queued, data: { sitemap_id: sm.id, run_id: null, status: "follow_up_queued", after_run_id: activeId } });
      }
      expect(await getDb().run.count({ where: { sitemapId: sm.id } })).toBe(1);
      // the active run ends (whatever the end): the follow-up is queued in the same transaction, as the active run
      const followUp = await finishRun(activeId, { status: "failed", error: "site unreachable" });
      expect(followUp).toMatchObject({ sitemapId: sm.id, status: "queued", trigger: "api" });
      expect((await getDb().sitemap.findUniqueOrThrow({ where: { id: sm.id } })).activeRunId).toBe(followUp!.id);
      expect(await getDb().run.count({ where: { sitemapId: sm.id } })).toBe(2);

      // sync during an active run: waits for it, then for the follow-up, and answers when the sitemap is regenerated
      const pending = call(anqi(alice.key, { type: "application/x-www-form-urlencoded", body: `async=&sitemap=${sm.id}` }));
      await new Promise((r) => setTimeout(r, 300));
      const second = await finishRun(followUp!.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
      expect(second).not.toBeNull(); // the sync call's follow-up
      await new Promise((r) => setTimeout(r, 300));
      await finishRun(second!.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
      const { body } = await pending;
      expect(body).toMatchObject({ code: 0, msg: ANQI_MSG.syncDone, data: { run_id: second!.id, status: "succeeded" } });
      expect(await getDb().run.count({ where: { sitemapId: sm.id } })).toBe(3);
      // no follow-up left behind: the sitemap is free
      expect((await getDb().sitemap.findUniqueOrThrow({ where: { id: sm.id } })).activeRunId).toBeNull();
    });

    it("the key may come as Authorization: Bearer instead of ?token= (kept out of access logs)", async () => {
      const r = new Request(`${BASE}/api/import/sitemap`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/x-www-form-urlencoded" },
        body: "async=1",
      });
      const { body } = await call(r);
      expect(body).toMatchObject({ code: 0, msg: ANQI_MSG.queued });
      await finishRun(body.data!.run_id as string, { status: "cancelled" });
    });

    it("errors: bad token → -1 Token验证失败 (the document's example); no token → 1001; key without generate scope → 1002", async () => {
      expect((await call(anqi("4712a54b4c456bb29b7816d241db69a7", { body: "" }))).body).toEqual({ code: -1, msg: "Token验证失败" });
      expect((await call(anqi(null))).body).toEqual({ code: 1001, msg: "未登录" });
      const readOnly = await issueApiKey({ userId: alice.id, name: "ro", scopes: ["read"] });
      const denied = await call(anqi(readOnly.key, { type: "application/x-www-form-urlencoded", body: "async=1" }));
      expect(denied.body.code).toBe(1002);
      expect(denied.body.msg).toContain("未授权");
    });

    it("errors: invalid async value and an account without sitemaps → code -1; GET → their shape with Allow", async () => {
      expect((await call(anqi(alice.key, { type: "application/x-www-form-urlencoded", body: "async=maybe" }))).body).toMatchObject({ code: -1 });
      expect((await call(anqi(alice.key, { type: "application/json", body: '{"async":1}' }))).body).toMatchObject({ code: -1, msg: expect.stringContaining("form") });
      const bob = await seedUser();
      const none = await call(anqi(bob.key, { type: "application/x-www-form-urlencoded", body: "async=1" }));
      expect(none.body).toMatchObject({ code: -1, msg: expect.stringContaining("no active sitemap") });
      const get = await getImport(new Request(`${BASE}/api/import/sitemap?token=x`), ctx());
      expect(get.headers.get("allow")).toBe("POST");
      expect(await get.json()).toMatchObject({ code: -1 });
    });
  });
}
