/**
 * The publish guard end to end on both backends: a loopback site that loses half its pages makes a run `held` (its
 * files not published, the previous ones still served, the claim released, webhook run.held); POST
 * /api/v1/runs/{id}/publish publishes it anyway; a small drop publishes; `publishGuard: null` turns the guard off;
 * a newer published run supersedes a held one. Plus the verdict rule itself.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));
vi.mock("@/lib/jobs/events", () => ({
  sendGenerateRequested: vi.fn(async (d: { runId: string }) => ({ ids: [`generate-${d.runId}`] })),
  webhookDeliveryRequested: { create: (data: unknown, opts: object) => ({ name: "webhook/delivery.requested", data, ...opts }) },
}));
vi.mock("@/lib/jobs/client", () => ({ inngest: { send: vi.fn(async () => ({ ids: [] })) } }));

import { GET as getRunRoute } from "@/app/api/v1/runs/[id]/route";
import { GET as getPublish, POST as publish } from "@/app/api/v1/runs/[id]/publish/route";
import { PATCH as patchSitemap, GET as getSitemap } from "@/app/api/v1/sitemaps/[id]/route";
import { POST as create } from "@/app/api/v1/sitemaps/route";
import { POST as generate } from "@/app/api/v1/sitemaps/[id]/generate/route";
import { listPublishedFiles } from "@/lib/db/files";
import { crawlRun, exportRun } from "@/lib/runs/execute";
import { publishGuardVerdict } from "@/lib/runs/publish-guard";
import { ZRunDto } from "@/lib/schemas/runs";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, mockSession, req, seedUser, sitemapBody } from "./helpers";

/** "/" links to `pages` pages /p0…; every page answers 200 HTML (an unlinked one is simply never met). */
let pages = 10;
let server: http.Server;
let origin = "";
beforeAll(async () => {
  server = http.createServer((rq, res) => {
    if (rq.url === "/robots.txt") return res.writeHead(404).end();
    const links = rq.url === "/" ? Array.from({ length: pages }, (_, i) => `<a href="/p${i}">p${i}</a>`).join("") : "";
    res.writeHead(200, { "content-type": "text/html" }).end(`<html><body><p>${rq.url}</p>${links}</body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-guard-"));
  process.env.APP_URL = "http://sitemaps.test";
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => mockSession(null));

describe("publishGuardVerdict", () => {
  const published = { runId: "r1", urlsListed: 100 };
  it("holds a drop of more than the guard, not a drop of exactly the guard", () => {
    expect(publishGuardVerdict({ publishGuard: 0.3, published, newCount: 69 })).toMatchObject({
      hold: true,
      detail: { publishedRunId: "r1", publishedCount: 100, newCount: 69, dropRatio: 0.31, publishGuard: 0.3 },
    });
    expect(publishGuardVerdict({ publishGuard: 0.3, published, newCount: 70 })).toEqual({ hold: false });
    expect(publishGuardVerdict({ publishGuard: 0.3, published, newCount: 150 })).toEqual({ hold: false });
  });
  it("never holds with the guard off, nothing published, an empty published run, or nothing listed now", () => {
    expect(publishGuardVerdict({ publishGuard: null, published, newCount: 1 })).toEqual({ hold: false });
    expect(publishGuardVerdict({ publishGuard: 0.3, published: null, newCount: 1 })).toEqual({ hold: false });
    expect(publishGuardVerdict({ publishGuard: 0.3, published: { runId: "r", urlsListed: 0 }, newCount: 0 })).toEqual({ hold: false });
    expect(publishGuardVerdict({ publishGuard: 0.3, published, newCount: 0 })).toEqual({ hold: false });
  });
  it("guard 0 holds any drop; guard 1 never holds", () => {
    expect(publishGuardVerdict({ publishGuard: 0, published, newCount: 99 }).hold).toBe(true);
    expect(publishGuardVerdict({ publishGuard: 1, published, newCount: 1 }).hold).toBe(false);
  });
  it("the reason names both counts and the allowed drop", () => {
    const v = publishGuardVerdict({ publishGuard: 0.3, published: { runId: "r", urlsListed: 1170 }, newCount: 585 });
    expect(v.hold && v.reason).toMatch(/lists 585 URLs, 50 % fewer than the 1,170 of the published run \(the publish guard allows a drop of 30 %\)/);
  });
});

for (const backend of testBackends()) {
  describe(`publish guard on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
    });

    const newSitemap = async (over: Record<string, unknown> = {}) => {
      const res = await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody({ startUrl: `${origin}/`, ...over }) }), ctx());
      expect(res.status).toBe(201);
      return (await res.json()).data as { id: string; publishGuard: number | null };
    };
    /** Starts a run through the API and runs both steps, as the generate-sitemap function does. */
    const runOnce = async (sitemapId: string, pageCount: number) => {
      pages = pageCount;
      const res = await generate(req("POST", `/api/v1/sitemaps/${sitemapId}/generate`, { key: alice.key }), ctx({ id: sitemapId }));
      expect(res.status).toBe(202);
      const { id } = (await res.json()).data as { id: string };
      await crawlRun(id);
      const exported = await exportRun(id);
      return { id, exported };
    };
    const runDto = async (id: string) => ZRunDto.strict().parse((await (await getRunRoute(req("GET", `/api/v1/runs/${id}`, { key: alice.key }), ctx({ id }))).json()).data);
    const served = async (sitemapId: string) => (await listPublishedFiles({ sitemapId, userId: alice.id })).map((f) => [f.kind, f.urlCount]);
    const publishedRunOf = async (sitemapId: string) => (await t.db.sitemap.findUniqueOrThrow({ where: { id: sitemapId } })).publishedRunId;

    it("a site that loses half its pages is held: previous files served, claim released, run.held sent; publish anyway", async () => {
      const sm = await newSitemap();
      expect(sm.publishGuard).toBe(0.3);
      const hook = await t.db.webhook.create({ data: { userId: alice.id, url: "https://hooks.example/x", events: ["run.held"], secretEncrypted: "x" } });

      const first = await runOnce(sm.id, 10); // the first run is never held
      expect((await runDto(first.id)).status).toBe("succeeded");
      expect(await served(sm.id)).toEqual([["urlset", 11]]);

      const second = await runOnce(sm.id, 4); // 5 of 11 URLs: a drop of 55 %
      expect(second.exported).toMatchObject({ skipped: true, held: true });
      const held = await runDto(second.id);
      expect(held).toMatchObject({
        status: "held",
        progress: { urlsListed: 5 },
        heldDetail: { publishedRunId: first.id, publishedCount: 11, newCount: 5, dropRatio: 0.5455, publishGuard: 0.3 },
      });
      expect(held.heldReason).toMatch(/lists 5 URLs, 54\.5 % fewer than the 11 of the published run/);
      expect(held.finishedAt).not.toBeNull();
      expect(await served(sm.id)).toEqual([["urlset", 11]]);
      expect(await publishedRunOf(sm.id)).toBe(first.id);
      expect((await t.db.sitemap.findUniqueOrThrow({ where: { id: sm.id } })).activeRunId).toBeNull();
      const deliveries = await t.db.webhookDelivery.findMany({ where: { webhookId: hook.id } });
      expect(deliveries.map((d) => d.event)).toEqual(["run.held"]);
      expect((deliveries[0].payload as { data: Record<string, unknown> }).data).toMatchObject({
        runId: second.id,
        status: "held",
        heldDetail: { publishedCount: 11, newCount: 5 },
        // The fixture publishes no sitemap of its own: the audit says so, with no findings.
        audit: { found: false, issues: 0, href: `/api/v1/runs/${second.id}/audit` },
      });
      expect(held.audit).toEqual((deliveries[0].payload as { data: Record<string, unknown> }).data.audit);
      // A held run is finished: it can be retried by the export step without effect.
      expect(await exportRun(second.id)).toMatchObject({ skipped: true });

      // Other accounts cannot publish it; GET is not a method of the route.
      await expectError(await publish(req("POST", `/api/v1/runs/${second.id}/publish`, { key: bob.key }), ctx({ id: second.id })), 404, "not_found");
      expect((await getPublish(req("GET", `/api/v1/runs/${second.id}/publish`, { key: alice.key }), ctx({ id: second.id }))).status).toBe(405);

      const res = await publish(req("POST", `/api/v1/runs/${second.id}/publish`, { key: alice.key }), ctx({ id: second.id }));
      expect(res.status).toBe(200);
      const done = ZRunDto.strict().parse((await res.json()).data);
      expect(done).toMatchObject({ id: second.id, status: "succeeded", heldReason: null, heldDetail: null, filesWritten: 1 });
      expect(await served(sm.id)).toEqual([["urlset", 5]]);
      expect(await publishedRunOf(sm.id)).toBe(second.id);

      // Its credits were charged once, when it was held (publishing debits nothing more).
      expect((await t.db.creditEntry.findMany({ where: { runId: second.id } })).map((e) => e.delta)).toEqual([-1]);

      // Not held any more: 409 with the status.
      const again = await expectError(await publish(req("POST", `/api/v1/runs/${second.id}/publish`, { key: alice.key }), ctx({ id: second.id })), 409, "conflict");
      expect(again.message).toMatch(/succeeded, not held/);
    });

    it("a small drop publishes; with the guard off (publishGuard: null) a big drop publishes too", async () => {
      const sm = await newSitemap();
      await runOnce(sm.id, 10);
      const small = await runOnce(sm.id, 8); // 9 of 11: a drop of 18 %
      expect((await runDto(small.id)).status).toBe("succeeded");

      const patched = await patchSitemap(req("PATCH", `/api/v1/sitemaps/${sm.id}`, { key: alice.key, body: { publishGuard: null } }), ctx({ id: sm.id }));
      expect(patched.status).toBe(200);
      expect((await patched.json()).data.publishGuard).toBeNull();
      const big = await runOnce(sm.id, 1); // 2 of 9
      expect((await runDto(big.id)).status).toBe("succeeded");
      expect(await served(sm.id)).toEqual([["urlset", 2]]);
      const shown = (await (await getSitemap(req("GET", `/api/v1/sitemaps/${sm.id}`, { key: alice.key }), ctx({ id: sm.id }))).json()).data;
      expect(shown.publishGuard).toBeNull();
    });

    it("publishGuard is validated (0..1 or null)", async () => {
      for (const bad of [-0.1, 1.5, "0.3"]) {
        const res = await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody({ publishGuard: bad }) }), ctx());
        expect(res.status).toBe(422);
        expect((await res.json()).error.field).toBe("publishGuard");
      }
      expect((await newSitemap({ publishGuard: 0.5 })).publishGuard).toBe(0.5);
    });

    it("a publish that cannot write its files leaves the run held and the previous files served", async () => {
      const sm = await newSitemap();
      const first = await runOnce(sm.id, 10);
      const held = await runOnce(sm.id, 2);
      const filesDir = process.env.FILES_DIR!;
      const blocker = path.join(filesDir, `blocker-${backend.name}`);
      fs.writeFileSync(blocker, "a file where a folder should be");
      process.env.FILES_DIR = path.join(blocker, "files"); // mkdir under a regular file fails
      try {
        const res = await publish(req("POST", `/api/v1/runs/${held.id}/publish`, { key: alice.key }), ctx({ id: held.id }));
        expect(res.status).toBe(500);
      } finally {
        process.env.FILES_DIR = filesDir;
      }
      expect((await runDto(held.id)).status).toBe("held");
      expect(await publishedRunOf(sm.id)).toBe(first.id);
      const res = await publish(req("POST", `/api/v1/runs/${held.id}/publish`, { key: alice.key }), ctx({ id: held.id }));
      expect(res.status).toBe(200);
      expect(await publishedRunOf(sm.id)).toBe(held.id);
    });

    it("a held run does not block the next run, and a newer published run supersedes it", async () => {
      const sm = await newSitemap();
      await runOnce(sm.id, 10);
      const held = await runOnce(sm.id, 2);
      expect((await runDto(held.id)).status).toBe("held");
      const next = await runOnce(sm.id, 9); // the site is back: 10 of 11
      expect((await runDto(next.id)).status).toBe("succeeded");
      const err = await expectError(await publish(req("POST", `/api/v1/runs/${held.id}/publish`, { key: alice.key }), ctx({ id: held.id })), 409, "conflict");
      expect(err.message).toMatch(/newer run/);
      expect(await publishedRunOf(sm.id)).toBe(next.id);
    });
  });
}
