import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as getRun } from "@/app/api/v1/runs/[id]/route";
import { GET as getChanges } from "@/app/api/v1/runs/[id]/changes/route";
import { POST as create } from "@/app/api/v1/sitemaps/route";
import { claimRun, computeRunDiff, finishRun } from "@/lib/db/runs";
import { getDb } from "@/lib/db/client";
import { ZRunChangeDto, ZRunDto } from "@/lib/schemas/runs";
import { ZListBody } from "@/lib/schemas/common";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser, sitemapBody } from "./helpers";

afterEach(() => mockSession(null));

for (const backend of testBackends()) {
  describe(`run changes API on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    let runId = "";
    const base = "https://docs.example.com";

    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
      const sm = (await (await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody() }), ctx())).json()).data as { id: string };
      const db = getDb();
      const inventory = async (id: string, pages: [string, string | null, boolean][]) =>
        db.runUrl.createMany({
          data: pages.map(([p, hash, included]) => ({ runId: id, url: base + p, status: 200, included, contentHash: hash, depth: 1 })),
        });
      const first = (await claimRun({ sitemapId: sm.id, trigger: "api" }))!;
      await inventory(first.id, [
        ["/", "h0", true],
        ["/kept", "k", true],
        ["/edited", "e1", true],
        ["/gone", "g", true],
        ["/noindex-now", "n", true],
        ["/unknown-hash", null, true],
        ...Array.from({ length: 4 }, (_, i): [string, string, boolean] => [`/old-${i}`, `o${i}`, true]),
      ]);
      await computeRunDiff(first.id, null);
      await finishRun(first.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
      await db.sitemap.update({ where: { id: sm.id }, data: { publishedRunId: first.id } });

      const second = (await claimRun({ sitemapId: sm.id, trigger: "api" }))!;
      runId = second.id;
      await inventory(second.id, [
        ["/", "h0", true],
        ["/kept", "k", true],
        ["/edited", "e2", true],
        ["/noindex-now", "n", false],
        ["/unknown-hash", "u", true],
        ["/new-a", "a", true],
        ["/new-b", "b", true],
        ["/new-c", "c", true],
      ]);
      await computeRunDiff(second.id, first.id);
      await finishRun(second.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
    });

    const list = (query: string, key = alice.key) =>
      getChanges(req("GET", `/api/v1/runs/${runId}/changes${query}`, { key }), ctx({ id: runId }));
    const paths = (body: { data: { url: string; kind: string }[] }) => body.data.map((c) => [c.url.slice(base.length), c.kind]);

    it("the run DTO carries the diff counts", async () => {
      const res = await getRun(req("GET", `/api/v1/runs/${runId}`, { key: alice.key }), ctx({ id: runId }));
      const run = ZRunDto.strict().parse((await res.json()).data);
      // removed: /gone, /noindex-now (no longer listed), /old-0..3; changed: /edited only (no hash before → unknown).
      expect(run.diff).toEqual({ added: 3, removed: 6, changed: 1 });
    });

    it("lists every change in URL order, with kind, as a { data, next_cursor } list", async () => {
      const res = await list("?size=300");
      expect(res.status).toBe(200);
      expectRateLimitHeaders(res);
      const body = ZListBody(ZRunChangeDto.strict()).parse(await res.json());
      expect(paths(body)).toEqual([
        ["/edited", "changed"],
        ["/gone", "removed"],
        ["/new-a", "added"],
        ["/new-b", "added"],
        ["/new-c", "added"],
        ["/noindex-now", "removed"],
        ["/old-0", "removed"],
        ["/old-1", "removed"],
        ["/old-2", "removed"],
        ["/old-3", "removed"],
      ]);
      expect(body.next_cursor).toBeNull();
    });

    it("filters by kind and pages with an opaque cursor", async () => {
      const p1 = await (await list("?filter[kind]=removed&size=4")).json();
      expect(paths(p1)).toEqual([["/gone", "removed"], ["/noindex-now", "removed"], ["/old-0", "removed"], ["/old-1", "removed"]]);
      expect(p1.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      const p2 = await (await list(`?filter[kind]=removed&size=4&cursor=${p1.next_cursor}`)).json();
      expect(paths(p2)).toEqual([["/old-2", "removed"], ["/old-3", "removed"]]);
      expect(p2.next_cursor).toBeNull();
      expect(paths(await (await list("?kind=changed")).json())).toEqual([["/edited", "changed"]]);
      expect(paths(await (await list("?kind=added&size=1")).json())).toEqual([["/new-a", "added"]]);
      expect(paths(await (await list("?size=3")).json())).toHaveLength(3);
      expect(paths(await (await list("?filter[url][contains]=old-&sort=url:desc&size=2")).json())).toEqual([["/old-3", "removed"], ["/old-2", "removed"]]);
    });

    it("rejects a bad kind, size, sort or cursor with 400 (the list grammar) and the field", async () => {
      await expectError(await list("?kind=moved"), 400, "invalid_value", "kind");
      await expectError(await list("?filter[kind]=moved"), 400, "invalid_value", "filter[kind]");
      await expectError(await list("?size=0"), 400, "invalid_value", "size");
      await expectError(await list("?size=abc"), 400, "invalid_value", "size");
      await expectError(await list("?sort=runId:asc"), 400, "unknown_field", "runId");
      await expectError(await list("?cursor=not-a-cursor!"), 400, "invalid_value", "cursor");
      await expectError(await list(`?cursor=${Buffer.from("javascript:alert(1)").toString("base64url")}`), 400, "invalid_value", "cursor");
    });

    it("is 404 for another account's run and for an unknown run; 401 without a key", async () => {
      await expectError(await list("", bob.key), 404, "not_found");
      await expectError(await getChanges(req("GET", "/api/v1/runs/nope/changes", { key: alice.key }), ctx({ id: "nope" })), 404, "not_found");
      await expectError(await getChanges(req("GET", `/api/v1/runs/${runId}/changes`), ctx({ id: runId })), 401, "unauthorized");
    });
  });
}
