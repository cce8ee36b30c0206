/**
 * The documented access errors of every core endpoint: 401 without a key, 403 `forbidden` for a key
 * without the endpoint's scope (nothing done), 405 for another method, and the rate-limit headers on each answer.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));
vi.mock("@/lib/jobs/events", () => ({ sendGenerateRequested: vi.fn(async () => ({ ids: ["x"] })) }));

import * as runs from "@/app/api/v1/runs/route";
import * as cancel from "@/app/api/v1/runs/[id]/cancel/route";
import * as sitemaps from "@/app/api/v1/sitemaps/route";
import * as generate from "@/app/api/v1/sitemaps/[id]/generate/route";
import * as sitemapRuns from "@/app/api/v1/sitemaps/[id]/runs/route";
import * as status from "@/app/api/v1/sitemaps/[id]/status/route";
import * as urls from "@/app/api/v1/sitemaps/[id]/urls/route";
import * as urlOne from "@/app/api/v1/sitemaps/[id]/urls/[urlId]/route";
import * as hour from "@/app/api/v1/sitemaps/generate/hour/[hour]/route";
import * as importGen from "@/app/api/v1/sitemaps/generate/import/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import type { ApiScope } from "@/lib/schemas/api-keys";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, req, seedUser, sitemapBody } from "./helpers";

// Route handlers with different param shapes.
type Handler = (req: Request, c: any) => Promise<Response>;
type Case = { name: string; method: string; path: string; handler: Handler; other: Handler; params: Record<string, string>; scope: ApiScope; body?: unknown };

for (const backend of testBackends()) {
  describe(`core v2 access errors on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let user: Awaited<ReturnType<typeof seedUser>>;
    let sitemapId = "";
    let runId = "";
    let urlId = "";
    const keys: Partial<Record<ApiScope, string>> = {};
    beforeAll(async () => {
      user = await seedUser();
      for (const s of ["read", "write", "generate", "submit"] as ApiScope[]) keys[s] = (await issueApiKey({ userId: user.id, name: s, scopes: [s] })).key;
      const res = await sitemaps.POST(req("POST", "/api/v1/sitemaps", { key: user.key, body: sitemapBody({ startUrl: "https://a.example/", exportAfterImport: true, exportPlan: [0] }) }), ctx());
      sitemapId = (await res.json()).data.id;
      runId = (await t.db.run.create({ data: { sitemapId, trigger: "api", status: "succeeded" } })).id;
      urlId = (await t.db.sitemapUrl.create({ data: { sitemapId, url: "https://a.example/x" } })).id;
    });

    const cases = (): Case[] => [
      { name: "GET /sitemaps", method: "GET", path: "/api/v1/sitemaps", handler: sitemaps.GET, other: sitemaps.PUT, params: {}, scope: "read" },
      { name: "GET /runs", method: "GET", path: "/api/v1/runs", handler: runs.GET, other: runs.DELETE, params: {}, scope: "read" },
      { name: "POST /runs/{id}/cancel", method: "POST", path: `/api/v1/runs/${runId}/cancel`, handler: cancel.POST, other: cancel.DELETE, params: { id: runId }, scope: "generate" },
      { name: "GET /sitemaps/{id}/status", method: "GET", path: `/api/v1/sitemaps/${sitemapId}/status`, handler: status.GET, other: status.DELETE, params: { id: sitemapId }, scope: "read" },
      { name: "GET /sitemaps/{id}/runs", method: "GET", path: `/api/v1/sitemaps/${sitemapId}/runs`, handler: sitemapRuns.GET, other: sitemapRuns.POST, params: { id: sitemapId }, scope: "read" },
      { name: "GET /sitemaps/{id}/urls", method: "GET", path: `/api/v1/sitemaps/${sitemapId}/urls`, handler: urls.GET, other: urls.PUT, params: { id: sitemapId }, scope: "read" },
      { name: "POST /sitemaps/{id}/urls", method: "POST", path: `/api/v1/sitemaps/${sitemapId}/urls`, handler: urls.POST, other: urls.PATCH, params: { id: sitemapId }, scope: "write", body: { url: "https://a.example/new" } },
      { name: "DELETE /sitemaps/{id}/urls", method: "DELETE", path: `/api/v1/sitemaps/${sitemapId}/urls?url=https://a.example/new`, handler: urls.DELETE, other: urls.PUT, params: { id: sitemapId }, scope: "write" },
      { name: "DELETE /sitemaps/{id}/urls/{urlId}", method: "DELETE", path: `/api/v1/sitemaps/${sitemapId}/urls/${urlId}`, handler: urlOne.DELETE, other: urlOne.POST, params: { id: sitemapId, urlId }, scope: "write" },
      { name: "POST /sitemaps/{id}/generate", method: "POST", path: `/api/v1/sitemaps/${sitemapId}/generate`, handler: generate.POST, other: generate.GET, params: { id: sitemapId }, scope: "generate" },
      { name: "POST /sitemaps/generate/hour/{hour}", method: "POST", path: "/api/v1/sitemaps/generate/hour/0", handler: hour.POST, other: hour.DELETE, params: { hour: "0" }, scope: "generate" },
      { name: "POST /sitemaps/generate/import", method: "POST", path: "/api/v1/sitemaps/generate/import", handler: importGen.POST, other: importGen.GET, params: {}, scope: "generate" },
    ];

    it("401 without a key, 403 forbidden with a key lacking the scope (nothing written), 405 for another method", async () => {
      for (const c of cases()) {
        await expectError(await c.handler(req(c.method, c.path, { body: c.body }), ctx(c.params)), 401, "unauthorized");
        const wrong = (["read", "write", "generate", "submit"] as ApiScope[]).filter((s) => s !== c.scope);
        for (const s of wrong) {
          const res = await c.handler(req(c.method, c.path, { key: keys[s], body: c.body }), ctx(c.params));
          expectRateLimitHeaders(res);
          await expectError(res, 403, "forbidden");
        }
        const res = await c.other(req("PUT", c.path, { key: keys[c.scope] }), ctx(c.params));
        expect(res.headers.get("allow"), c.name).toBeTruthy();
        await expectError(res, 405, "method_not_allowed");
      }
      expect(await t.db.run.count({ where: { sitemapId } })).toBe(1);
      expect(await t.db.sitemapUrl.count({ where: { sitemapId } })).toBe(1);
      expect((await t.db.run.findUniqueOrThrow({ where: { id: runId } })).cancelRequestedAt).toBeNull();
    }, 60_000);

    it("a key with the scope succeeds on each", async () => {
      for (const c of cases()) {
        const res = await c.handler(req(c.method, c.path, { key: keys[c.scope], body: c.body }), ctx(c.params));
        if (c.name === "POST /runs/{id}/cancel") await expectError(res, 409, "conflict"); // the run ended: still authorised
        else expect(res.status, c.name).toBeLessThan(300);
      }
    }, 60_000);
  });
}
