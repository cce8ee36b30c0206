/**
 * SSRF guard at connect time, DNS rebinding, origin-bound credentials, and decompression bombs.
 *
 * Rebinding without touching the Internet: the "public" answer is 127.0.0.1 on a port whose exact `IP:port` is
 * allow-listed (so the guard admits it like a public address), the "private" answer is 127.0.0.2 — a second
 * loopback server on the SAME port that must never see a request. A guard that resolved twice (check, then
 * connect) would reach it; ours resolves once per connection, inside the connector, and connects to the answer
 * it vetted.
 */
import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createFetcher, type Fetcher, type LookupFn } from "./fetch";
import { startSite, type TestSite } from "@/tests/helpers/site";

const sites: TestSite[] = [];
let fetcher: Fetcher | null = null;
afterEach(async () => {
  await fetcher?.close();
  fetcher = null;
  await Promise.all(sites.splice(0).map((s) => s.close()));
});

/** A lookup that answers from a script, one entry per call, and counts calls. */
function scriptedLookup(answers: string[]): LookupFn & { calls: string[] } {
  const calls: string[] = [];
  const fn = (async (hostname: string) => {
    calls.push(hostname);
    const address = answers[Math.min(calls.length - 1, answers.length - 1)];
    return [{ address, family: address.includes(":") ? 6 : 4 }];
  }) as LookupFn & { calls: string[] };
  fn.calls = calls;
  return fn;
}

describe("DNS rebinding", () => {
  it("first answer admitted, second private: one resolution per connection, the private address never reached", async () => {
    const closeEach = (body: string) => (_req: unknown, res: ServerResponse) => void res.writeHead(200, { connection: "close", "content-type": "text/plain" }).end(body);
    const pub = await startSite({ "/": closeEach("public") });
    sites.push(pub);
    const victim = await startSite({ "/": closeEach("victim") }, { host: "127.0.0.2", port: pub.port });
    sites.push(victim);
    const lookup = scriptedLookup(["127.0.0.1", "127.0.0.2"]);
    fetcher = createFetcher({ userAgent: "t", timeoutMs: 3_000, maxBodyBytes: 1_000, allowHosts: [`127.0.0.1:${pub.port}`], lookup });

    const first = await fetcher.fetch(`http://rebind.test:${pub.port}/`);
    expect(first.error).toBeUndefined();
    expect(first.body?.toString()).toBe("public");
    expect(lookup.calls).toEqual(["rebind.test"]); // resolved once, and that answer was used

    const second = await fetcher.fetch(`http://rebind.test:${pub.port}/`); // new connection (server closed it)
    expect(second.error?.code).toBe("blocked_host");
    expect(lookup.calls).toHaveLength(2);
    expect(victim.requests).toEqual([]);
    expect(pub.requests).toEqual(["/"]);
  });

  it("an allow-listed IP:port admits that address only on that port", async () => {
    const pub = await startSite({ "/": { body: "x" } });
    sites.push(pub);
    fetcher = createFetcher({ userAgent: "t", timeoutMs: 3_000, maxBodyBytes: 1_000, allowHosts: [`127.0.0.1:${pub.port + 1}`], lookup: scriptedLookup(["127.0.0.1"]) });
    expect((await fetcher.fetch(`http://name.test:${pub.port}/`)).error?.code).toBe("blocked_host");
    expect(pub.requests).toEqual([]);
  });

  it("a public IP literal is connected without a lookup; a private one never", async () => {
    const lookup = scriptedLookup(["127.0.0.1"]);
    fetcher = createFetcher({ userAgent: "t", timeoutMs: 300, maxBodyBytes: 1_000, allowHosts: [], lookup });
    for (const u of ["http://127.0.0.1:9/", "http://[::ffff:7f00:1]:9/", "http://0177.0.0.1:9/", "http://0x7f000001:9/", "http://2130706433:9/", "http://[::]:9/", "http://169.254.169.254/"]) {
      expect((await fetcher.fetch(u)).error?.code, u).toBe("blocked_host");
    }
    expect(lookup.calls).toEqual([]);
  });
});

describe("credentials are bound to one origin", () => {
  it("sent to credentials.origin only: not to another port of the same host, not to the same host over another scheme", async () => {
    const a = await startSite({ "/": { body: "a" } });
    const b = await startSite({ "/": { body: "b" } });
    sites.push(a, b);
    fetcher = createFetcher({
      userAgent: "t",
      timeoutMs: 3_000,
      maxBodyBytes: 1_000,
      allowHosts: [a.hostPort, b.hostPort],
      credentials: { origin: a.origin, headers: { authorization: "Basic eDp5", cookie: "k=v", "x-token": "t" } },
    });
    await fetcher.fetch(`${a.origin}/`);
    await fetcher.fetch(`${b.origin}/`);
    expect(a.requestHeaders[0]).toMatchObject({ authorization: "Basic eDp5", cookie: "k=v", "x-token": "t" });
    expect(b.requestHeaders[0].authorization).toBeUndefined();
    expect(b.requestHeaders[0].cookie).toBeUndefined();
    expect(b.requestHeaders[0]["x-token"]).toBeUndefined();
  });
});

describe("decompression bombs: 1 GB of zeros, generated on the fly", () => {
  const GB = 1024; // chunks of 1 MiB
  const bomb = (encoding: "gzip" | "deflate" | "br") => (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/html", "content-encoding": encoding });
    let sent = 0;
    const mib = Buffer.alloc(1 << 20);
    const src = new Readable({
      read() {
        if (sent++ >= GB) return void this.push(null);
        this.push(mib);
      },
    });
    const codec =
      encoding === "gzip"
        ? zlib.createGzip({ level: 1 })
        : encoding === "deflate"
          ? zlib.createDeflate({ level: 1 })
          : zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });
    src.pipe(codec).pipe(res);
    res.on("close", () => {
      src.destroy();
      codec.destroy();
    });
  };

  it.each(["gzip", "deflate", "br"] as const)("%s: the body is cut at the cap on decompressed bytes, RSS stays small", async (encoding) => {
    const site = await startSite({ "/bomb": bomb(encoding) });
    sites.push(site);
    const cap = 10 * 1024 * 1024;
    fetcher = createFetcher({ userAgent: "t", timeoutMs: 20_000, maxBodyBytes: cap, allowHosts: [site.hostPort] });
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const res = await fetcher.fetch(`${site.origin}/bomb`);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(res.error?.code).toBe("body_too_large");
    expect(res.body?.length).toBe(cap);
    expect(res.body?.every((b) => b === 0)).toBe(true);
    expect(peak - rss0).toBeLessThan(64 * 1024 * 1024); // 10 MiB kept + decoder buffers, never the gigabyte
  }, 30_000);
});

describe("port policy: 80, 443 and CRAWL_ALLOWED_PORTS; exact allow-list entries still work", () => {
  it("a redirect from an allow-listed loopback server to 127.0.0.1 on another port is refused at that hop", async () => {
    const other = await startSite({ "/": { body: "other" } });
    sites.push(other);
    const site = await startSite({ "/": (_req, res) => void res.writeHead(302, { location: `http://127.0.0.1:${other.port}/` }).end() });
    sites.push(site);
    fetcher = createFetcher({ userAgent: "t", timeoutMs: 3_000, maxBodyBytes: 1_000, allowHosts: [site.hostPort] });
    const first = await fetcher.fetch(`${site.origin}/`);
    expect(first.status).toBe(302);
    expect(first.location).toBe(`http://127.0.0.1:${other.port}/`);
    const hop = await fetcher.fetch(first.location!);
    expect(hop.error?.code).toBe("blocked_host");
    expect(hop.error?.message).toMatch(new RegExp(`port ${other.port} is not allowed \\(allowed: 80, 443;`));
    expect(other.requests).toEqual([]);
  });

  it("a host name on a port outside the policy is refused before any DNS lookup", async () => {
    const lookup = scriptedLookup(["127.0.0.1"]);
    fetcher = createFetcher({ userAgent: "t", timeoutMs: 300, maxBodyBytes: 1_000, allowHosts: [], lookup });
    for (const port of [22, 25, 6379, 11211]) {
      const r = await fetcher.fetch(`http://example.test:${port}/`);
      expect(r.error?.code).toBe("blocked_host");
      expect(r.error?.message).toContain(`port ${port} is not allowed`);
    }
    expect(lookup.calls).toEqual([]);
  });

  it("CRAWL_ALLOWED_PORTS adds ports (the address checks still apply there), read when the fetcher is created", async () => {
    const other = await startSite({ "/": { body: "other" } });
    sites.push(other);
    const lookup = scriptedLookup(["127.0.0.1"]);
    vi.stubEnv("CRAWL_ALLOWED_PORTS", `8080, ${other.port}`);
    try {
      fetcher = createFetcher({ userAgent: "t", timeoutMs: 1_000, maxBodyBytes: 1_000, allowHosts: [], lookup });
    } finally {
      vi.unstubAllEnvs();
    }
    const r = await fetcher.fetch(`http://name.test:${other.port}/`);
    expect(r.error?.code).toBe("blocked_host");
    expect(r.error?.message).toMatch(/not a public unicast address/); // got past the port policy to DNS
    expect(lookup.calls).toEqual(["name.test"]);
    expect(other.requests).toEqual([]);
    vi.stubEnv("CRAWL_ALLOWED_PORTS", "22,ssh");
    try {
      expect(() => createFetcher({ userAgent: "t", timeoutMs: 1_000, maxBodyBytes: 1_000, allowHosts: [] })).toThrow(/CRAWL_ALLOWED_PORTS entry "ssh"/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
