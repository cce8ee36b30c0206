/**
 * AnQiCMS replay over a socket: the request example of anqicms-sitemap-update.txt sent byte for byte over TCP (node:net)
 * to the route handler behind node:http (tests/helpers/route-server.ts), and both curl commands of the document run
 * with the real curl binary, only the base URL and the token replaced. Checks the documented answer: HTTP 200 with a
 * JSON object whose `code` is an int, `msg` a string and `data` an object; code 0 with the document's two success
 * messages, -1 with "Token验证失败" for the document's own (foreign) token.
 *
 * Two bytes the document leaves out are added, as every client sends them: CRLF line ends (its text shows the
 * request with plain line breaks) and Content-Length (without it an HTTP/1.1 request has no body, RFC 9112 §6.3, and
 * the example would silently become a synchronous call).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as anqiRoute from "@/app/api/import/sitemap/route";
import { POST as createSitemap } from "@/app/api/v1/sitemaps/route";
import { ANQI_MSG } from "@/lib/compat/anqicms";
import { finishRun, getRunForUser } from "@/lib/db/runs";
import { latestRunOf } from "@/tests/helpers/runs";
import { rawRequest, startRouteServer, type RawAnswer, type RouteServer } from "@/tests/helpers/route-server";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, req, seedUser, sitemapBody } from "@/tests/api/helpers";

const curl = promisify(execFile);
const DOC_TOKEN = "4712a54b4c456bb29b7816d241db69a7";
const BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
const DOC_BODY = [`--${BOUNDARY}`, 'Content-Disposition: form-data; name="async"', "", "1", `--${BOUNDARY}--`, ""].join("\r\n");

/** The document's "Request example", with `token` in place of its token. */
const docRequest = (token: string) =>
  [
    `POST /api/import/sitemap?token=${token} HTTP/1.1`,
    "Host: www.anqicms.com",
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
    `Content-Length: ${Buffer.byteLength(DOC_BODY)}`,
    "",
    DOC_BODY,
  ].join("\r\n");

/** The documented return parameters: code int, msg string, data object (when present); always HTTP 200 JSON. */
function expectAnqiShape(a: RawAnswer): { code: number; msg: string; data?: Record<string, unknown> } {
  expect(a.status).toBe(200);
  expect(a.headers["content-type"]).toMatch(/^application\/json/);
  const body = a.json() as { code: number; msg: string; data?: Record<string, unknown> };
  expect(Number.isInteger(body.code)).toBe(true);
  expect(typeof body.msg).toBe("string");
  if ("data" in body) expect(typeof body.data === "object" && body.data !== null && !Array.isArray(body.data)).toBe(true);
  return body;
}

let server: RouteServer;
beforeAll(async () => {
  server = await startRouteServer([{ path: /^\/api\/import\/sitemap$/, module: anqiRoute }]);
});
afterAll(async () => server?.close());

for (const backend of testBackends()) {
  describe(`AnQiCMS request example replayed over a socket on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let sitemapId: string;

    beforeAll(async () => {
      alice = await seedUser();
      const res = await createSitemap(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody() }), ctx());
      sitemapId = ((await res.json()).data as { id: string }).id;
    });

    it("the example as written (its own token) → 200 {code:-1, msg:\"Token验证失败\"}, the document's error example", async () => {
      const body = expectAnqiShape(await rawRequest(server.port, docRequest(DOC_TOKEN)));
      expect(body).toEqual({ code: -1, msg: "Token验证失败" });
    });

    it("the example with our key (multipart, async=1) → 200 {code:0, msg:\"已提交后台处理,请稍后查看结果\"}, a queued run", async () => {
      const answer = await rawRequest(server.port, docRequest(alice.key));
      expect(answer.statusLine).toMatch(/^HTTP\/1\.1 200/);
      const body = expectAnqiShape(answer);
      expect(body).toEqual({ code: 0, msg: "已提交后台处理,请稍后查看结果", data: { sitemap_id: sitemapId, run_id: expect.any(String), status: "queued" } });
      const run = await getRunForUser({ runId: body.data!.run_id as string, userId: alice.id });
      expect(run).toMatchObject({ status: "queued", sitemapId, trigger: "api" });
      await finishRun(run!.id, { status: "cancelled" });
    });

    it("the same request over HTTP/1.0 (older CMS hosts) gets the same answer, the connection then closed", async () => {
      const answer = await rawRequest(server.port, docRequest(alice.key).replace(" HTTP/1.1\r\n", " HTTP/1.0\r\n"));
      expect(answer.headers.connection).toBe("close");
      expect(expectAnqiShape(answer)).toMatchObject({ code: 0, msg: ANQI_MSG.queued });
      await finishRun((answer.json() as { data: { run_id: string } }).data.run_id, { status: "cancelled" });
    });

    it("curl, asynchronous mode, as in the document (-H 'Content-Type: multipart/form-data' -F 'async=1') → code 0 at once", async () => {
      const { stdout } = await curl("curl", ["-sS", "-X", "POST", `${server.origin}/api/import/sitemap?token=${alice.key}`, "-H", "Content-Type: multipart/form-data", "-F", "async=1"]);
      const body = JSON.parse(stdout) as { code: number; msg: string; data: { run_id: string } };
      expect(body).toMatchObject({ code: 0, msg: "已提交后台处理,请稍后查看结果", data: { status: "queued" } });
      await finishRun(body.data.run_id, { status: "cancelled" });
    });

    it("curl, synchronous mode, as in the document (no body) → waits for the run, then {code:0, msg:\"Sitemap更新完成\"}", async () => {
      const pending = curl("curl", ["-sS", "-X", "POST", `${server.origin}/api/import/sitemap?token=${alice.key}`, "-H", "Content-Type: multipart/form-data"]);
      let runId: string | null = null;
      for (let i = 0; i < 200 && !runId; i++) {
        const run = await latestRunOf({ sitemapId, userId: alice.id });
        if (run?.status === "queued") runId = run.id;
        else await new Promise((r) => setTimeout(r, 25));
      }
      expect(runId).not.toBeNull();
      // the call is still open while the run is not done
      await new Promise((r) => setTimeout(r, 300));
      expect((await getRunForUser({ runId: runId!, userId: alice.id }))!.status).toBe("queued");
      await finishRun(runId!, { status: "succeeded", bytesWritten: 10, filesWritten: 1, urlsWritten: 1 });
      const body = JSON.parse((await pending).stdout) as Record<string, unknown>;
      expect(body).toEqual({ code: 0, msg: "Sitemap更新完成", data: { sitemap_id: sitemapId, run_id: runId, status: "succeeded" } });
    });

    it("error codes of the document's table: 1001 without a token, 1002 for a key without the generate scope", async () => {
      const noToken = docRequest(alice.key).replace(`?token=${alice.key}`, "");
      expect(expectAnqiShape(await rawRequest(server.port, noToken))).toEqual({ code: 1001, msg: "未登录" });
      const { issueApiKey } = await import("@/lib/auth/issue-api-key");
      const readOnly = await issueApiKey({ userId: alice.id, name: "ro", scopes: ["read"] });
      const denied = expectAnqiShape(await rawRequest(server.port, docRequest(readOnly.key)));
      expect(denied.code).toBe(1002);
      expect(denied.msg).toMatch(/^未授权/);
    });
  });
}
