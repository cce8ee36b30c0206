import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { allowHostsFromEnv, createFetcher, isPublicAddress, parseAllowHosts, type Fetcher, type LookupFn } from "./fetch";
import { startSite, type TestSite } from "@/tests/helpers/site";

const UA = "SitemapForgeBot/0.1 (+test)";
const bigText = "<p>" + "x".repeat(300_000) + "</p>";
const zeros = Buffer.alloc(20 * 1024 * 1024); // 20 MiB of zeros gzip to ~20 KB: a small gzip bomb

let site: TestSite;
let flakyHits = 0;
let fetcher: Fetcher | null = null;
const make = (opts: Partial<Parameters<typeof createFetcher>[0]> = {}) =>
  (fetcher = createFetcher({ userAgent: UA, timeoutMs: 5_000, maxBodyBytes: 1_000_000, allowHosts: [site.hostPort], ...opts }));

beforeAll(async () => {
  const gzBomb = zlib.gzipSync(zeros);
  site = await startSite({
    "/hello": { body: "<p>hi</p>", headers: { "x-robots-tag": ["noindex", "googlebot: nofollow"], "last-modified": "Sun, 06 Nov 1994 08:49:37 GMT" } },
    "/gzip": { body: zlib.gzipSync("gzipped body"), headers: { "content-encoding": "gzip" } },
    "/br": { body: zlib.brotliCompressSync("brotli body"), headers: { "content-encoding": "br" } },
    "/deflate": { body: zlib.deflateSync("deflate body"), headers: { "content-encoding": "deflate" } },
    "/bad-encoding": { body: "plain", headers: { "content-encoding": "gzip" } },
    "/unknown-encoding": { body: "plain", headers: { "content-encoding": "compress" } },
    "/big": { body: bigText },
    "/bomb": { body: gzBomb, headers: { "content-encoding": "gzip" } },
    "/redirect": { status: 301, headers: { location: "../Target#frag" } },
    "/redirect-mailto": { status: 302, headers: { location: "mailto:x@example.com" } },
    "/pdf": { body: Buffer.alloc(50_000, 1), type: "application/pdf" },
    "/drip": (_req, res) => {
      // Slow-loris body: headers at once, then one byte every 100 ms, forever.
      res.writeHead(200, { "content-type": "text/html" });
      const t = setInterval(() => res.write("x"), 100);
      res.on("close", () => clearInterval(t));
    },
    "/flaky": (req, res) => {
      // First request: the connection dies before any response (like a kept-alive socket closed by the server).
      if (++flakyHits === 1) return void req.socket.destroy();
      res.writeHead(200, { "content-type": "text/plain" }).end("second try");
    },
    "/dead": (req) => void req.socket.destroy(),
    "/silent": () => {
      // Never answers: only the deadline can end this request.
    },
  });
});
afterEach(async () => {
  await fetcher?.close();
  fetcher = null;
  vi.unstubAllEnvs();
});
afterAll(() => site.close());

describe("createFetcher: responses", () => {
  it("returns status, lower-cased headers (repeated fields as arrays), content type and body", async () => {
    const r = await make().fetch(`${site.origin}/hello`);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.url).toBe(`${site.origin}/hello`);
    expect(r.contentType).toBe("text/html; charset=utf-8");
    expect(r.headers["last-modified"]).toBe("Sun, 06 Nov 1994 08:49:37 GMT");
    expect(r.headers["x-robots-tag"]).toEqual(["noindex", "googlebot: nofollow"]);
    expect(r.body?.toString()).toBe("<p>hi</p>");
  });

  it.each([
    ["/gzip", "gzipped body"],
    ["/br", "brotli body"],
    ["/deflate", "deflate body"],
  ])("decompresses %s", async (path, text) => {
    const r = await make().fetch(site.origin + path);
    expect(r.error).toBeUndefined();
    expect(r.body?.toString()).toBe(text);
  });

  it("reports corrupt or unsupported encodings as decode errors", async () => {
    const f = make();
    expect((await f.fetch(`${site.origin}/bad-encoding`)).error?.code).toBe("decode");
    expect((await f.fetch(`${site.origin}/unknown-encoding`)).error?.code).toBe("decode");
  });

  it("does not follow redirects; resolves and normalises Location", async () => {
    const before = site.requests.length;
    const f = make();
    const r = await f.fetch(`${site.origin}/redirect`);
    expect(r.status).toBe(301);
    expect(r.location).toBe(`${site.origin}/Target`);
    expect(site.requests.slice(before)).toEqual(["/redirect"]);
    expect((await f.fetch(`${site.origin}/redirect-mailto`)).location).toBeNull();
  });

  it("retries a GET once when the connection dies before any response", async () => {
    const f = make();
    const r = await f.fetch(`${site.origin}/flaky`);
    expect(r.body?.toString()).toBe("second try");
    expect(flakyHits).toBe(2);
    const before = site.requests.length;
    const dead = await f.fetch(`${site.origin}/dead`);
    expect(dead.error?.code).toBe("network");
    expect(site.requests.slice(before)).toEqual(["/dead", "/dead"]); // one retry, not more
  });

  it("skips the body when readBody says no", async () => {
    const r = await make().fetch(`${site.origin}/pdf`, { readBody: ({ contentType }) => contentType === "text/html" });
    expect(r.status).toBe(200);
    expect(r.contentType).toBe("application/pdf");
    expect(r.body).toBeNull();
  });

  it("refuses non-http(s) URLs and credentials without sending anything", async () => {
    const f = make();
    expect((await f.fetch("ftp://127.0.0.1/x")).error?.code).toBe("invalid_url");
    expect((await f.fetch(`http://user:pw@${site.hostPort}/hello`)).error?.code).toBe("invalid_url");
    expect((await f.fetch("not a url")).error?.code).toBe("invalid_url");
  });
});

describe("createFetcher: body cap (decompressed bytes)", () => {
  it("stops at maxBodyBytes and reports body_too_large with the first bytes", async () => {
    const r = await make({ maxBodyBytes: 100_000 }).fetch(`${site.origin}/big`);
    expect(r.status).toBe(200);
    expect(r.error?.code).toBe("body_too_large");
    expect(r.body?.length).toBe(100_000);
    expect(r.body?.subarray(0, 4).toString()).toBe("<p>x");
  });

  it("counts decompressed bytes: a 20 MiB gzip bomb is cut at the cap", async () => {
    const rssBefore = process.memoryUsage().rss;
    const r = await make({ maxBodyBytes: 256 * 1024 }).fetch(`${site.origin}/bomb`);
    expect(r.error?.code).toBe("body_too_large");
    expect(r.body?.length).toBe(256 * 1024);
    expect(r.body?.every((b) => b === 0)).toBe(true);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(15 * 1024 * 1024);
  });

  it("lets a per-request cap override the fetcher's", async () => {
    const r = await make().fetch(`${site.origin}/big`, { maxBodyBytes: 10 });
    expect(r.error?.code).toBe("body_too_large");
    expect(r.body?.length).toBe(10);
  });
});

describe("createFetcher: total deadline", () => {
  // No wall-clock bounds here: the drip sends a byte every 100 ms forever, so an idle timeout never fires and only
  // a total deadline can end the request (without one the test hangs until vitest's timeout and fails).
  it("abandons a slow-drip body at timeoutMs (not an idle timeout)", async () => {
    const r = await make({ timeoutMs: 600 }).fetch(`${site.origin}/drip`);
    expect(r.error?.code).toBe("timeout");
    expect(r.status).toBe(200);
  });

  it("abandons a server that never answers", async () => {
    const r = await make({ timeoutMs: 400 }).fetch(`${site.origin}/silent`);
    expect(r.error?.code).toBe("timeout");
    expect(r.status).toBeNull();
  });

  it("reports a caller abort as aborted", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await make({ timeoutMs: 5_000 }).fetch(`${site.origin}/silent`, { signal: ac.signal });
    expect(r.error?.code).toBe("aborted");
  });
});

describe("createFetcher: SSRF guard", () => {
  // Every form below points at the fixture server's own port on loopback, so a request that slipped through
  // would show up in site.requests.
  const loopbackForms = (port: number) => [
    `http://127.0.0.1:${port}/ssrf`,
    `http://2130706433:${port}/ssrf`, // decimal
    `http://0x7f.1:${port}/ssrf`, // hex + short form
    `http://0x7f000001:${port}/ssrf`,
    `http://017700000001:${port}/ssrf`, // octal
    `http://127.1:${port}/ssrf`,
    `http://[::ffff:127.0.0.1]:${port}/ssrf`, // IPv4-mapped IPv6
    `http://[::1]:${port}/ssrf`,
    `http://0.0.0.0:${port}/ssrf`,
  ];

  it("refuses loopback in every spelling when not allow-listed; zero requests reach the server", async () => {
    const before = site.requests.length;
    const lookup = vi.fn<LookupFn>(async () => [{ address: "127.0.0.1", family: 4 }]);
    // The fixture's port is an allowed port here, so the address checks (not the port policy) do the refusing.
    vi.stubEnv("CRAWL_ALLOWED_PORTS", String(site.port));
    const f = make({ allowHosts: [], lookup });
    vi.unstubAllEnvs();
    for (const url of [...loopbackForms(site.port), `http://localhost:${site.port}/ssrf`]) {
      const r = await f.fetch(url);
      expect(r.error?.code, url).toBe("blocked_host");
      expect(r.status).toBeNull();
    }
    expect(site.requests.slice(before)).toEqual([]);
    expect(lookup).toHaveBeenCalledWith("localhost");
  });

  it.each([
    "http://169.254.169.254/latest/meta-data/", // cloud metadata (link-local)
    "http://[fd00:ec2::254]/latest/meta-data/", // AWS IPv6 metadata (unique-local)
    "http://100.100.100.200/", // Alibaba metadata (CGNAT)
    "http://168.63.129.16/", // Azure WireServer
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
  ])("refuses %s before connecting", async (url) => {
    const r = await make({ allowHosts: [] }).fetch(url);
    expect(r.error?.code).toBe("blocked_host");
  });

  it("refuses a host name when any DNS answer is private, without connecting", async () => {
    const lookup = vi.fn<LookupFn>(async (host) =>
      host === "internal.test"
        ? [{ address: "10.0.0.1", family: 4 }]
        : [
            { address: "93.184.215.14", family: 4 },
            { address: "192.168.0.10", family: 4 },
          ],
    );
    const f = make({ allowHosts: [], lookup });
    const a = await f.fetch("http://internal.test/");
    expect(a.error?.code).toBe("blocked_host");
    expect(a.error?.message).toContain("10.0.0.1");
    const b = await f.fetch("http://mixed.test/");
    expect(b.error?.code).toBe("blocked_host");
    expect(b.error?.message).toContain("192.168.0.10");
    expect(lookup.mock.calls.map((c) => c[0])).toEqual(["internal.test", "mixed.test"]);
  });

  it("allows exactly the listed host:port, and connects to the address the lookup returned", async () => {
    const lookup = vi.fn<LookupFn>(async () => [{ address: "127.0.0.1", family: 4 }]);
    const f = make({ allowHosts: [`fixture.test:${site.port}`, site.hostPort], lookup });
    const before = site.requests.length;
    const named = await f.fetch(`http://fixture.test:${site.port}/hello`);
    expect(named.status).toBe(200); // no real DNS for fixture.test: the injected answer was used to connect
    expect(lookup).toHaveBeenCalledWith("fixture.test");
    expect((await f.fetch(`${site.origin}/hello`)).status).toBe(200);
    // Same host, other port: not on the list.
    expect((await f.fetch(`http://127.0.0.1:${site.port + 1}/hello`)).error?.code).toBe("blocked_host");
    expect(site.requests.slice(before)).toEqual(["/hello", "/hello"]);
  });

  it("reads CRAWL_ALLOW_HOSTS when the fetcher is created, not at import", async () => {
    vi.stubEnv("CRAWL_ALLOW_HOSTS", ` localhost:3000 , ${site.hostPort}`);
    expect(allowHostsFromEnv()).toEqual(["localhost:3000", site.hostPort]);
    const f = createFetcher({ userAgent: UA, timeoutMs: 2_000, maxBodyBytes: 1_000 });
    fetcher = f;
    expect((await f.fetch(`${site.origin}/hello`)).status).toBe(200);
    vi.stubEnv("CRAWL_ALLOW_HOSTS", "");
    const g = createFetcher({ userAgent: UA, timeoutMs: 2_000, maxBodyBytes: 1_000 });
    expect((await g.fetch(`${site.origin}/hello`)).error?.code).toBe("blocked_host");
    await g.close();
  });
});

describe("parseAllowHosts", () => {
  it("normalises host:port entries", () => {
    expect(parseAllowHosts("127.0.0.1:8081, LOCALHOST:3000,,[::1]:80")).toEqual(["127.0.0.1:8081", "localhost:3000", "[::1]:80"]);
    expect(parseAllowHosts(["2130706433:80"])).toEqual(["127.0.0.1:80"]); // same canonical form as URLs
    expect(parseAllowHosts(undefined)).toEqual([]);
  });
  it.each(["localhost", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "http://x:80", ":80"])("rejects %j", (entry) => {
    expect(() => parseAllowHosts(entry)).toThrow(/host:port/);
  });
});

describe("isPublicAddress", () => {
  it.each([
    ["8.8.8.8", true],
    ["93.184.215.14", true],
    ["2606:4700::1111", true],
    ["::ffff:8.8.8.8", true],
    ["127.0.0.1", false],
    ["10.1.2.3", false],
    ["172.31.255.255", false],
    ["192.168.0.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["255.255.255.255", false],
    ["224.0.0.251", false],
    ["::1", false],
    ["[::1]", false],
    ["::", false],
    ["fe80::1", false],
    ["fd12:3456::1", false],
    ["ff02::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["168.63.129.16", false],
    ["not-an-ip", false],
  ])("%s → %s", (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });
});
