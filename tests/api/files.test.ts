import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as publicFile } from "@/app/s/[sitemapId]/[name]/route";
import { POST as create } from "@/app/api/v1/sitemaps/route";
import { GET as read } from "@/app/api/v1/sitemaps/[id]/route";
import { GET as listFiles } from "@/app/api/v1/sitemaps/[id]/files/route";
import { GET as download } from "@/app/api/v1/sitemaps/[id]/files/[name]/route";
import { publishRunFiles } from "@/lib/db/files";
import { ZFileDto } from "@/lib/schemas/files";
import { ZListBody } from "@/lib/schemas/common";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { BASE, ctx, expectError, expectRateLimitHeaders, req, seedUser, sitemapBody } from "./helpers";

const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-files-"));
beforeAll(() => vi.stubEnv("FILES_DIR", filesDir));
afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

const INDEX = '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></sitemapindex>\n';
const PART = gzipSync(Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://docs.example.com/</loc></url></urlset>\n'));
const TXT = "https://docs.example.com/\n";
const JSON_FILE = '{"urls":["https://docs.example.com/"]}';

for (const backend of testBackends()) {
  describe(`published files on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    let sitemapId: string;
    let unpublishedId: string;
    let createdAt: Date;
    const files: Record<string, Buffer> = {
      "docs.xml": Buffer.from(INDEX),
      "docs-1.xml.gz": PART,
      "docs.txt": Buffer.from(TXT),
      "docs.json": Buffer.from(JSON_FILE),
    };
    const kinds: Record<string, string> = { "docs.xml": "sitemapindex", "docs-1.xml.gz": "urlset", "docs.txt": "txt", "docs.json": "json" };
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
      const mk = async () =>
        (await (await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody() }), ctx())).json()).data.id as string;
      sitemapId = await mk();
      unpublishedId = await mk();
      const run = await t.db.run.create({ data: { sitemapId, trigger: "api", status: "succeeded" } });
      const dir = path.join(filesDir, sitemapId, run.id);
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
      await publishRunFiles({
        sitemapId,
        runId: run.id,
        files: Object.entries(files).map(([name, b]) => ({ name, kind: kinds[name], bytes: b.length, urlCount: 1, sha256: sha(b) })),
      });
      createdAt = (await t.db.sitemapFile.findFirstOrThrow({ where: { runId: run.id } })).createdAt;
    });

    const dl = (name: string, key = alice.key, headers?: Record<string, string>, id = sitemapId) =>
      download(req("GET", `/api/v1/sitemaps/${id}/files/${encodeURIComponent(name)}`, { key, headers }), ctx({ id, name }));
    const pub = (name: string, headers?: Record<string, string>, id = sitemapId) =>
      publicFile(req("GET", `/s/${id}/${encodeURIComponent(name)}`, { headers }), ctx({ sitemapId: id, name }));

    it("GET /files lists every published file with download_url and public_url", async () => {
      const res = await listFiles(req("GET", `/api/v1/sitemaps/${sitemapId}/files`, { key: alice.key }), ctx({ id: sitemapId }));
      expect(res.status).toBe(200);
      expectRateLimitHeaders(res);
      const body = ZListBody(ZFileDto.strict()).parse(await res.json());
      expect(body.next_cursor).toBeNull();
      expect(body.data.map((f) => f.name).sort()).toEqual(Object.keys(files).sort());
      const index = body.data.find((f) => f.name === "docs.xml")!;
      expect(index).toMatchObject({
        kind: "sitemapindex",
        bytes: files["docs.xml"].length,
        sha256: sha(files["docs.xml"]),
        download_url: `/api/v1/sitemaps/${sitemapId}/files/docs.xml`,
        public_url: `${BASE}/s/${sitemapId}/docs.xml`,
      });
    });

    it("the sitemap DTO points sitemapUrl at the index", async () => {
      const dto = (await (await read(req("GET", `/api/v1/sitemaps/${sitemapId}`, { key: alice.key }), ctx({ id: sitemapId }))).json()).data;
      expect(dto.sitemapUrl).toBe(`${BASE}/s/${sitemapId}/docs.xml`);
      expect(dto.publishedRunId).toEqual(expect.any(String));
    });

    it("GET /files of a sitemap with nothing published is an empty list; another account's is 404", async () => {
      const res = await listFiles(req("GET", `/api/v1/sitemaps/${unpublishedId}/files`, { key: alice.key }), ctx({ id: unpublishedId }));
      expect(await res.json()).toEqual({ data: [], next_cursor: null });
      const other = await listFiles(req("GET", `/api/v1/sitemaps/${sitemapId}/files`, { key: bob.key }), ctx({ id: sitemapId }));
      await expectError(other, 404, "not_found");
    });

    const types: [string, string][] = [
      ["docs.xml", "application/xml; charset=utf-8"],
      ["docs-1.xml.gz", "application/gzip"],
      ["docs.txt", "text/plain; charset=utf-8"],
      ["docs.json", "application/json"],
    ];
    for (const [name, type] of types) {
      it(`download ${name}: ${type}, ETag, Last-Modified, Content-Length, exact bytes (API and public)`, async () => {
        for (const res of [await dl(name), await pub(name)]) {
          expect(res.status).toBe(200);
          expect(res.headers.get("content-type")).toBe(type);
          expect(res.headers.get("etag")).toBe(`"${sha(files[name])}"`);
          expect(res.headers.get("last-modified")).toBe(createdAt.toUTCString());
          expect(res.headers.get("content-length")).toBe(String(files[name].length));
          expect(res.headers.get("x-request-id")).toMatch(/^req_/);
          expect(Buffer.from(await res.arrayBuffer()).equals(files[name])).toBe(true);
        }
      });
    }

    it("API download: rate-limit headers and private caching; public: max-age=300 and no credentials needed", async () => {
      const api = await dl("docs.xml");
      expectRateLimitHeaders(api);
      expect(api.headers.get("cache-control")).toBe("private, no-cache");
      const open = await pub("docs.xml");
      expect(open.headers.get("cache-control")).toBe("public, max-age=300");
      await open.arrayBuffer();
      await api.arrayBuffer();
    });

    it("304 on a matching If-None-Match (also weak, lists, *) and on If-Modified-Since ≥ Last-Modified", async () => {
      const etag = `"${sha(files["docs.xml"])}"`;
      for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
        for (const res of [await dl("docs.xml", alice.key, { "if-none-match": inm }), await pub("docs.xml", { "if-none-match": inm })]) {
          expect(res.status).toBe(304);
          expect(res.headers.get("etag")).toBe(etag);
          expect(await res.text()).toBe("");
        }
      }
      const later = new Date(createdAt.getTime() + 1000).toUTCString();
      expect((await pub("docs.xml", { "if-modified-since": createdAt.toUTCString() })).status).toBe(304);
      expect((await pub("docs.xml", { "if-modified-since": later })).status).toBe(304);
    });

    it("200 when the validators don't match (If-None-Match wins over If-Modified-Since)", async () => {
      const earlier = new Date(createdAt.getTime() - 2000).toUTCString();
      const a = await pub("docs.xml", { "if-modified-since": earlier });
      expect(a.status).toBe(200);
      await a.arrayBuffer();
      const b = await pub("docs.xml", { "if-none-match": '"stale"', "if-modified-since": new Date().toUTCString() });
      expect(b.status).toBe(200);
      await b.arrayBuffer();
    });

    it("404: unknown name, traversal, another account's file, unpublished sitemap, unknown sitemap", async () => {
      await expectError(await dl("nope.xml"), 404, "not_found");
      await expectError(await dl("../../etc/passwd"), 404, "not_found");
      await expectError(await dl("docs.xml", bob.key), 404, "not_found");
      await expectError(await dl("docs.xml", alice.key, undefined, unpublishedId), 404, "not_found");
      await expectError(await pub("nope.xml"), 404, "not_found");
      await expectError(await pub("..%2F..%2Fetc%2Fpasswd"), 404, "not_found");
      await expectError(await pub("docs.xml", undefined, unpublishedId), 404, "not_found");
      await expectError(await pub("docs.xml", undefined, "nope"), 404, "not_found");
    });

    it("404 (logged) for a symlink in place of a published file, to /etc/passwd or outside the root, and for a symlinked generation folder", async () => {
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), "sf-outside-"));
      const secret = Buffer.from("secret outside the storage root\n");
      fs.writeFileSync(path.join(outside, "docs.xml"), secret);
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        // A published run whose files are symlinks: one to /etc/passwd, one to a file outside FILES_DIR.
        const linkedId = (await (await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody() }), ctx())).json()).data.id as string;
        const run = await t.db.run.create({ data: { sitemapId: linkedId, trigger: "api", status: "succeeded" } });
        const dir = path.join(filesDir, linkedId, run.id);
        fs.mkdirSync(dir, { recursive: true });
        fs.symlinkSync("/etc/passwd", path.join(dir, "docs.xml"));
        fs.symlinkSync(path.join(outside, "docs.xml"), path.join(dir, "docs.txt"));
        await publishRunFiles({
          sitemapId: linkedId,
          runId: run.id,
          files: ["docs.xml", "docs.txt"].map((name) => ({ name, kind: "txt", bytes: 10, urlCount: 1, sha256: sha(secret) })),
        });
        // A published run whose generation folder itself is a symlink to a folder outside FILES_DIR.
        const parentId = (await (await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody() }), ctx())).json()).data.id as string;
        const run2 = await t.db.run.create({ data: { sitemapId: parentId, trigger: "api", status: "succeeded" } });
        fs.mkdirSync(path.join(filesDir, parentId), { recursive: true });
        fs.symlinkSync(outside, path.join(filesDir, parentId, run2.id));
        await publishRunFiles({
          sitemapId: parentId,
          runId: run2.id,
          files: [{ name: "docs.xml", kind: "txt", bytes: secret.length, urlCount: 1, sha256: sha(secret) }],
        });

        for (const [id, name] of [[linkedId, "docs.xml"], [linkedId, "docs.txt"], [parentId, "docs.xml"]]) {
          warn.mockClear();
          await expectError(await pub(name, undefined, id), 404, "not_found");
          expect(warn).toHaveBeenCalledTimes(1);
          expect(String(warn.mock.calls[0][0])).toMatch(/^\[files\] refused .*(symlink|outside)/);
          await expectError(await dl(name, alice.key, undefined, id), 404, "not_found");
          await expectError(await pub(name, { "if-none-match": `"${sha(secret)}"` }, id), 404, "not_found");
        }
        // The regular files of the first sitemap are still served.
        expect((await pub("docs.xml")).status).toBe(200);
      } finally {
        warn.mockRestore();
        fs.rmSync(outside, { recursive: true, force: true });
      }
    });

    it("the API download needs credentials (401); the public route doesn't", async () => {
      const res = await download(req("GET", `/api/v1/sitemaps/${sitemapId}/files/docs.xml`), ctx({ id: sitemapId, name: "docs.xml" }));
      await expectError(res, 401, "unauthorized");
    });
  });
}
