/**
 * Webhooks end to end: CRUD routes, signed deliveries by the real `deliver-webhook` function driven by the local
 * runner to a loopback receiver (allow-listed through CRAWL_ALLOW_HOSTS), retries, run and submission events, on
 * PGlite and PostgreSQL.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { POST as submit } from "@/app/api/v1/sitemaps/[id]/submit/route";
import { GET as listHooks, POST as createHook, PUT as putHooks } from "@/app/api/v1/webhooks/route";
import { DELETE as deleteHook, GET as getHook, PATCH as patchHook } from "@/app/api/v1/webhooks/[id]/route";
import { GET as listDeliveries } from "@/app/api/v1/webhooks/[id]/deliveries/route";
import { POST as testHook } from "@/app/api/v1/webhooks/[id]/test/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { getDb } from "@/lib/db/client";
import { claimRun } from "@/lib/db/runs";
import { failRun } from "@/lib/runs/execute";
import { requestRun } from "@/lib/runs/request-run";
import { ZListBody } from "@/lib/schemas/common";
import { ZCreatedWebhookDto, ZWebhookDeliveryDto, ZWebhookDto } from "@/lib/schemas/webhooks";
import { startFakeServer, type FakeServer } from "@/tests/helpers/fake-server";
import { emitWebhookEvent } from "@/lib/webhooks/emit";
import { verifySignature } from "@/lib/webhooks/sign";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { useLocalRunner } from "@/tests/helpers/local-runner";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser } from "./helpers";

let receiver: FakeServer;
const saved = { ...process.env };

beforeAll(async () => {
  receiver = await startFakeServer({ status: 200, body: "thanks" });
  process.env.CRAWL_ALLOW_HOSTS = receiver.hostPort;
  process.env.WEBHOOK_RETRY_DELAYS_MS = "1000,1000";
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-webhooks-"));
});
afterAll(async () => {
  fs.rmSync(process.env.FILES_DIR!, { recursive: true, force: true });
  process.env = saved;
  await receiver.close();
});
afterEach(() => mockSession(null));


for (const backend of testBackends()) {
  describe(`webhooks on ${backend.name}`, () => {
    const t = useTestDb(backend);
    const jobs = useLocalRunner(() => t.db, { backoffMs: () => 100 });
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;

    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
    });
    beforeEach(() => {
      receiver.requests.length = 0;
    });

    const create = async (body: unknown, key = alice.key) => createHook(req("POST", "/api/v1/webhooks", { key, body }), ctx());
    const hook = async (path: string, events = ["run.succeeded", "run.failed", "submission.completed"]) => {
      const res = await create({ url: `${receiver.origin}${path}`, events });
      expect(res.status).toBe(201);
      return ZCreatedWebhookDto.strict().parse((await res.json()).data);
    };
    const deliveries = async (id: string) =>
      ZListBody(ZWebhookDeliveryDto.strict()).parse(await (await listDeliveries(req("GET", `/api/v1/webhooks/${id}/deliveries?sort=createdAt:asc`, { key: alice.key }), ctx({ id }))).json()).data;
    const verified = (secret: string, r: FakeServer["requests"][number]) =>
      verifySignature({ secret, body: r.body, header: (r.headers["x-sitemapforge-signature"] as string) ?? null });

    it("CRUD: the secret is shown once, never again; list, patch, delete", async () => {
      const res = await create({ url: `${receiver.origin}/crud`, events: ["run.succeeded"] });
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      const created = ZCreatedWebhookDto.strict().parse((await res.json()).data);
      expect(created.secret).toMatch(/^whsec_[0-9a-f]{48}$/);
      expect(res.headers.get("location")).toBe(`/api/v1/webhooks/${created.id}`);
      const row = await getDb().webhook.findUniqueOrThrow({ where: { id: created.id } });
      expect(row.secretEncrypted).not.toContain(created.secret.slice(6));

      const got = await (await getHook(req("GET", `/api/v1/webhooks/${created.id}`, { key: alice.key }), ctx({ id: created.id }))).json();
      expect(ZWebhookDto.strict().parse(got.data)).toMatchObject({ id: created.id, events: ["run.succeeded"], active: true });
      expect(JSON.stringify(got)).not.toContain("whsec_");

      const listed = ZListBody(ZWebhookDto.strict()).parse(await (await listHooks(req("GET", "/api/v1/webhooks?filter[active]=true", { key: alice.key }), ctx())).json());
      expect(listed.data.map((w) => w.id)).toContain(created.id);
      expect(JSON.stringify(listed)).not.toContain("whsec_");

      const patched = await patchHook(req("PATCH", `/api/v1/webhooks/${created.id}`, { key: alice.key, body: { events: ["run.failed", "run.failed"], active: false } }), ctx({ id: created.id }));
      expect((await patched.json()).data).toMatchObject({ events: ["run.failed"], active: false });

      expect((await deleteHook(req("DELETE", `/api/v1/webhooks/${created.id}`, { key: alice.key }), ctx({ id: created.id }))).status).toBe(204);
      await expectError(await getHook(req("GET", `/api/v1/webhooks/${created.id}`, { key: alice.key }), ctx({ id: created.id })), 404, "not_found");
    });

    it("errors: refused URL, unknown event, unknown field, bad JSON, wrong media type, other account, scope, 405", async () => {
      await expectError(await create({ url: "http://10.0.0.1/hook", events: ["run.succeeded"] }), 422, "invalid_value", "url");
      await expectError(await create({ url: "http://localhost:9/hook", events: ["run.succeeded"] }), 422, "invalid_value", "url");
      await expectError(await create({ url: "ftp://example.com/hook", events: ["run.succeeded"] }), 422, "invalid_value", "url");
      for (const port of [22, 25, 6379, 11211]) {
        const err = await expectError(await create({ url: `http://example.com:${port}/hook`, events: ["run.succeeded"] }), 422, "invalid_value", "url");
        expect(err.message).toContain(`Port ${port} is not allowed`);
      }
      await expectError(await create({ url: "not a url", events: ["run.succeeded"] }), 422, "invalid_format", "url");
      await expectError(await create({ url: `${receiver.origin}/x`, events: ["run.exploded"] }), 422, "invalid_value", "events.0");
      await expectError(await create({ url: `${receiver.origin}/x`, events: [] }), 422, "invalid_value", "events");
      await expectError(await create({ url: `${receiver.origin}/x` }), 422, "missing", "events");
      await expectError(await create({ url: `${receiver.origin}/x`, events: ["run.failed"], secret: "mine" }), 422, "unknown_field", "secret");
      await expectError(await createHook(req("POST", "/api/v1/webhooks", { key: alice.key, raw: "{", headers: { "content-type": "application/json" } }), ctx()), 400, "syntax_error");
      await expectError(await createHook(req("POST", "/api/v1/webhooks", { key: alice.key, raw: "x", headers: { "content-type": "text/plain" } }), ctx()), 415, "unsupported_media_type");
      const readOnly = await issueApiKey({ userId: alice.id, name: "ro", scopes: ["read"] });
      await expectError(await create({ url: `${receiver.origin}/x`, events: ["run.failed"] }, readOnly.key), 403, "forbidden");
      await expectError(await putHooks(req("PUT", "/api/v1/webhooks", { key: alice.key }), ctx()), 405, "method_not_allowed");
      expect(await getDb().webhook.count({ where: { userId: alice.id, url: { endsWith: "/x" } } })).toBe(0);

      const mine = await hook("/mine");
      const asBob = (r: Request) => r;
      await expectError(await getHook(asBob(req("GET", `/api/v1/webhooks/${mine.id}`, { key: bob.key })), ctx({ id: mine.id })), 404, "not_found");
      await expectError(await patchHook(req("PATCH", `/api/v1/webhooks/${mine.id}`, { key: bob.key, body: { active: false } }), ctx({ id: mine.id })), 404, "not_found");
      await expectError(await deleteHook(req("DELETE", `/api/v1/webhooks/${mine.id}`, { key: bob.key }), ctx({ id: mine.id })), 404, "not_found");
      await expectError(await listDeliveries(req("GET", `/api/v1/webhooks/${mine.id}/deliveries`, { key: bob.key }), ctx({ id: mine.id })), 404, "not_found");
      await expectError(await testHook(req("POST", `/api/v1/webhooks/${mine.id}/test`, { key: bob.key }), ctx({ id: mine.id })), 404, "not_found");
      await expectError(await patchHook(req("PATCH", `/api/v1/webhooks/${mine.id}`, { key: alice.key, body: {} }), ctx({ id: mine.id })), 422, "invalid_value");
      await expectError(await patchHook(req("PATCH", `/api/v1/webhooks/${mine.id}`, { key: alice.key, body: { url: "http://192.168.1.1/" } }), ctx({ id: mine.id })), 422, "invalid_value", "url");
      await deleteHook(req("DELETE", `/api/v1/webhooks/${mine.id}`, { key: alice.key }), ctx({ id: mine.id }));
    });

    it("delivers a signed event: the signature verifies with the secret, headers name the event and delivery", async () => {
      const h = await hook("/signed", ["run.succeeded"]);
      const ids = await emitWebhookEvent({ userId: alice.id, event: "run.succeeded", data: { runId: "r1" } });
      expect(ids).toHaveLength(1);
      await jobs.current.idle();
      const got = receiver.requests.filter((r) => r.path === "/signed");
      expect(got).toHaveLength(1);
      const body = JSON.parse(got[0].body);
      expect(body).toMatchObject({ id: ids[0], event: "run.succeeded", data: { runId: "r1" } });
      expect(got[0].headers["x-sitemapforge-event"]).toBe("run.succeeded");
      expect(got[0].headers["x-sitemapforge-delivery"]).toBe(ids[0]);
      expect(got[0].headers["x-sitemapforge-signature"]).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/);
      expect(verified(h.secret, got[0])).toBe(true);
      expect(verifySignature({ secret: h.secret, body: got[0].body + " ", header: got[0].headers["x-sitemapforge-signature"] as string })).toBe(false);
      const [d] = await deliveries(h.id);
      expect(d).toMatchObject({ id: ids[0], status: "delivered", attempts: 1, lastStatus: 200, lastError: null });
      await deleteHook(req("DELETE", `/api/v1/webhooks/${h.id}`, { key: alice.key }), ctx({ id: h.id }));
    });

    it("retries after a 500, then succeeds; each attempt is recorded", async () => {
      const h = await hook("/flaky", ["run.failed"]);
      receiver.script("/flaky", [{ status: 500, body: "boom" }, { status: 204 }]);
      const [id] = await emitWebhookEvent({ userId: alice.id, event: "run.failed", data: { runId: "r2" } });
      await jobs.current.idle({ timeoutMs: 20_000 });
      const got = receiver.requests.filter((r) => r.path === "/flaky");
      expect(got).toHaveLength(2);
      expect(got.map((r) => r.headers["x-sitemapforge-delivery"])).toEqual([id, id]);
      expect(got.every((r) => verified(h.secret, r))).toBe(true);
      const [d] = await deliveries(h.id);
      expect(d).toMatchObject({ status: "delivered", attempts: 2, lastStatus: 204, lastError: null });
      expect(d.deliveredAt).not.toBeNull();
      await deleteHook(req("DELETE", `/api/v1/webhooks/${h.id}`, { key: alice.key }), ctx({ id: h.id }));
    });

    it("gives up after the last scheduled attempt: failed with the last answer", async () => {
      const h = await hook("/dead", ["run.failed"]);
      receiver.route("/dead", { status: 503, body: "down" });
      await emitWebhookEvent({ userId: alice.id, event: "run.failed", data: {} });
      await jobs.current.idle({ timeoutMs: 20_000 });
      expect(receiver.requests.filter((r) => r.path === "/dead")).toHaveLength(3); // 1 + 2 retries (WEBHOOK_RETRY_DELAYS_MS)
      const [d] = await deliveries(h.id);
      expect(d).toMatchObject({ status: "failed", attempts: 3, lastStatus: 503, lastError: "HTTP 503: down" });
      receiver.route("/dead", null);
      await deleteHook(req("DELETE", `/api/v1/webhooks/${h.id}`, { key: alice.key }), ctx({ id: h.id }));
    });

    it("an event emitted again for the same subject (a retried export step) is delivered once", async () => {
      const h = await hook("/once", ["run.succeeded"]);
      const first = await emitWebhookEvent({ userId: alice.id, event: "run.succeeded", data: { runId: "r9" }, key: "r9" });
      const again = await emitWebhookEvent({ userId: alice.id, event: "run.succeeded", data: { runId: "r9" }, key: "r9" });
      expect(again).toEqual(first);
      await emitWebhookEvent({ userId: alice.id, event: "run.succeeded", data: { runId: "r10" }, key: "r10" });
      await jobs.current.idle();
      const got = receiver.requests.filter((r) => r.path === "/once").map((r) => JSON.parse(r.body).data.runId);
      expect(got.sort()).toEqual(["r10", "r9"]);
      expect(await getDb().webhookDelivery.count({ where: { webhookId: h.id } })).toBe(2);
      await deleteHook(req("DELETE", `/api/v1/webhooks/${h.id}`, { key: alice.key }), ctx({ id: h.id }));
    });

    it("no delivery for unsubscribed events, inactive webhooks or other accounts", async () => {
      const h = await hook("/picky", ["submission.completed"]);
      const off = await hook("/off", ["run.failed"]);
      await patchHook(req("PATCH", `/api/v1/webhooks/${off.id}`, { key: alice.key, body: { active: false } }), ctx({ id: off.id }));
      expect(await emitWebhookEvent({ userId: alice.id, event: "run.failed", data: {} })).toEqual([]);
      expect(await emitWebhookEvent({ userId: bob.id, event: "submission.completed", data: {} })).toEqual([]);
      await jobs.current.idle();
      expect(receiver.requests).toHaveLength(0);
      expect(await getDb().webhookDelivery.count({ where: { webhookId: { in: [h.id, off.id] } } })).toBe(0);
      await expectError(await testHook(req("POST", `/api/v1/webhooks/${off.id}/test`, { key: alice.key }), ctx({ id: off.id })), 409, "conflict");
      for (const id of [h.id, off.id]) await deleteHook(req("DELETE", `/api/v1/webhooks/${id}`, { key: alice.key }), ctx({ id }));
    });

    it("POST /webhooks/{id}/test sends a signed webhook.test delivery (whatever the subscription)", async () => {
      const h = await hook("/test", ["run.succeeded"]);
      const res = await testHook(req("POST", `/api/v1/webhooks/${h.id}/test`, { key: alice.key }), ctx({ id: h.id }));
      expect(res.status).toBe(202);
      const d = ZWebhookDeliveryDto.strict().parse((await res.json()).data);
      expect(d).toMatchObject({ event: "webhook.test", status: "pending", attempts: 0 });
      await jobs.current.idle();
      const [got] = receiver.requests.filter((r) => r.path === "/test");
      expect(got.headers["x-sitemapforge-event"]).toBe("webhook.test");
      expect(verified(h.secret, got)).toBe(true);
      expect((await deliveries(h.id))[0]).toMatchObject({ id: d.id, status: "delivered" });
      await deleteHook(req("DELETE", `/api/v1/webhooks/${h.id}`, { key: alice.key }), ctx({ id: h.id }));
    });

    it("a generated run (crawl + export + publish, driven by the runner) emits run.succeeded", async () => {
      const h = await hook("/ok", ["run.succeeded"]);
      const html = (links: string[]) => ({
        status: 200,
        headers: { "content-type": "text/html; charset=utf-8" },
        body: `<!DOCTYPE html><html><head><title>t</title></head><body>${links.map((l) => `<a href="${l}">x</a>`).join("")}</body></html>`,
      });
      receiver.route("/site/", html(["/site/a"]));
      receiver.route("/site/a", html(["/site/"]));
      const sm = await getDb().sitemap.create({ data: { userId: alice.id, name: "Gen", startUrl: `${receiver.origin}/site/`, fileName: `g-${Date.now()}` } });
      const run = await requestRun({ sitemapId: sm.id, userId: alice.id, trigger: "api" });
      await jobs.current.idle({ timeoutMs: 30_000 });
      expect((await getDb().run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("succeeded");
      const got = receiver.requests.filter((r) => r.path === "/ok");
      expect(got).toHaveLength(1);
      expect(verified(h.secret, got[0])).toBe(true);
      expect(JSON.parse(got[0].body)).toMatchObject({ event: "run.succeeded", data: { runId: run.id, sitemapId: sm.id, status: "succeeded", kind: "crawl", urlsListed: 2, filesWritten: 1, urlsWritten: 2 } });
      await deleteHook(req("DELETE", `/api/v1/webhooks/${h.id}`, { key: alice.key }), ctx({ id: h.id }));
    });

    it("a run's final failure (failRun) emits run.failed; a finished submission emits submission.completed", async () => {
      const h = await hook("/events", ["run.failed", "submission.completed"]);
      const db = getDb();
      const sm = await db.sitemap.create({ data: { userId: alice.id, name: "S", startUrl: `${receiver.origin}/`, fileName: `w-${Date.now()}` } });
      const run = (await claimRun({ sitemapId: sm.id, trigger: "api" }))!;
      await failRun(run.id, new Error("crawler exploded"));
      await jobs.current.idle();
      const runEvent = receiver.requests.find((r) => r.headers["x-sitemapforge-event"] === "run.failed");
      expect(JSON.parse(runEvent!.body).data).toMatchObject({ runId: run.id, sitemapId: sm.id, status: "failed", error: "crawler exploded", trigger: "api" });
      // An unexpected error: code internal_error with its hint; no warnings on a run that never crawled.
      expect(JSON.parse(runEvent!.body).data).toMatchObject({ errorCode: "internal_error", errorHint: expect.stringMatching(/server log/), errorDetail: null, warnings: [] });

      // A published run with no changed URLs: the submission finishes at once.
      const pub = await db.run.create({ data: { sitemapId: sm.id, trigger: "api", status: "succeeded" } });
      await db.sitemap.update({ where: { id: sm.id }, data: { publishedRunId: pub.id, activeRunId: null } });
      const res = await submit(req("POST", `/api/v1/sitemaps/${sm.id}/submit?wait=20`, { key: alice.key }), ctx({ id: sm.id }));
      const batch = (await res.json()).data;
      await jobs.current.idle();
      const subEvent = receiver.requests.find((r) => r.headers["x-sitemapforge-event"] === "submission.completed");
      expect(JSON.parse(subEvent!.body).data).toMatchObject({ batchId: batch.batchId, sitemapId: sm.id, runId: pub.id, status: "ok", urlCount: 0 });
      expect(verified(h.secret, subEvent!)).toBe(true);
    });
  });
}
