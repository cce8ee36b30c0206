/**
 * Outbound POSTs of submission and webhooks (IndexNow endpoints, webhook receivers) under the same SSRF guard as the
 * crawler's fetcher (lib/crawl/fetch.ts), which only sends GETs.
 *
 * Guard (OWASP SSRF Prevention Cheat Sheet): the crawler's own connect-time guard (`guardedConnector` of
 * lib/crawl/fetch.ts: an IP-literal host must be public unicast; a host name is resolved inside the connector, EVERY
 * answer must be public unicast, and the socket connects to the vetted answer, so no DNS rebinding), after a URL
 * pre-check here (only http/https without credentials, no private literal or localhost). The exact `host:port`
 * allow-list (option, default env CRAWL_ALLOW_HOSTS) lifts the guard, which is how tests reach fakes on 127.0.0.1.
 * Redirects are not followed (a 3xx is returned as it is). Response bodies are read up to `maxBodyBytes`
 * (default 64 KiB) and kept as text for log excerpts.
 *
 * Errors: `guardedPost` never throws for network or policy failures; it resolves with `error` set
 * ({ code: "blocked_host" | "invalid_url" | "timeout" | "network", message }) and `status` null.
 * `checkOutboundUrl` throws nothing; it returns a reason string or null.
 */
import { isIP } from "node:net";
import { Agent } from "undici";
import { allowHostsFromEnv, blockedHostError, guardedConnector, isPublicAddress, parseAllowHosts, type LookupFn } from "@/lib/crawl/fetch";
import { urlPortError } from "@/lib/core/outbound";

export type PostResult = {
  /** HTTP status, or null when no response head arrived. */
  status: number | null;
  /** Response header fields, names lower-cased (repeated fields joined with ", "). */
  headers: Record<string, string>;
  /** Response body as UTF-8 text, at most `maxBodyBytes` bytes. */
  body: string;
  /** Wall time of the request, ms. */
  durationMs: number;
  error?: { code: "blocked_host" | "invalid_url" | "timeout" | "network"; message: string };
};

export type PostOptions = {
  headers?: Record<string, string>;
  /** Request body (sent as is; set content-type in `headers`). */
  body: string;
  /** Total deadline (connect + headers + body), ms. Default 15,000. */
  timeoutMs?: number;
  /** Bytes of the response body kept. Default 65,536. */
  maxBodyBytes?: number;
  /** Exact `host:port` entries exempt from the guard. Default env CRAWL_ALLOW_HOSTS. */
  allowHosts?: readonly string[];
  /** DNS resolver (tests). Default dns.promises.lookup(all). */
  lookup?: LookupFn;
  userAgent?: string;
};

export const OUTBOUND_USER_AGENT = "SitemapForge/1.0 (+https://github.com/sitemap-forge/sitemap-forge)";

const stripBrackets = (h: string) => (h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h);
const hostKey = (u: URL) => `${u.hostname}:${u.port || (u.protocol === "https:" ? 443 : 80)}`;

/**
 * Why `url` may not be a target of outbound POSTs, or null when it may (the part of the guard that needs no DNS):
 * not absolute http(s), carries credentials, an IP literal that is not public unicast and not allow-listed, or a port
 * outside 80, 443 and CRAWL_ALLOWED_PORTS (lib/core/outbound.ts) whose exact host:port is not allow-listed.
 * Host names are vetted at connect time.
 */
export function checkOutboundUrl(url: string, allowHosts: readonly string[] = allowHostsFromEnv()): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "not an absolute URL";
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return "only http and https URLs are allowed";
  if (u.username !== "" || u.password !== "") return "URLs with credentials are not allowed";
  const allow = new Set(parseAllowHosts(allowHosts));
  const host = stripBrackets(u.hostname);
  if (!allow.has(hostKey(u)) && isIP(host) && !isPublicAddress(host)) return `${u.hostname} is not a public address`;
  if (!allow.has(hostKey(u)) && (host === "localhost" || host.endsWith(".localhost"))) return `${u.hostname} is not a public address`;
  const badPort = urlPortError(url, { allowHosts: [...allow] });
  if (badPort) return badPort.replace(/\.$/, "");
  return null;
}

/** POSTs `opts.body` to `url` under the SSRF guard (module doc). Never rejects. */
export async function guardedPost(url: string, opts: PostOptions): Promise<PostResult> {
  const started = Date.now();
  const result: PostResult = { status: null, headers: {}, body: "", durationMs: 0 };
  const done = (error?: PostResult["error"]) => {
    result.durationMs = Date.now() - started;
    if (error) result.error = error;
    return result;
  };
  const allowHosts = opts.allowHosts ?? allowHostsFromEnv();
  const reason = checkOutboundUrl(url, allowHosts);
  if (reason) return done({ code: reason.includes("public") ? "blocked_host" : "invalid_url", message: `${url}: ${reason}` });
  const u = new URL(url);
  const allow = new Set(parseAllowHosts(allowHosts));
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const connect = guardedConnector({ allow, lookup: opts.lookup, connectTimeout: Math.min(timeoutMs, 10_000) });
  const agent = new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`Deadline of ${timeoutMs} ms exceeded`)), timeoutMs);
  try {
    const res = await agent.request({
      origin: u.origin,
      path: u.pathname + u.search,
      method: "POST",
      headers: { "user-agent": opts.userAgent ?? OUTBOUND_USER_AGENT, ...opts.headers },
      body: opts.body,
      signal: ac.signal,
    });
    result.status = res.statusCode;
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) result.headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    const cap = opts.maxBodyBytes ?? 65_536;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const b = chunk as Buffer;
      if (size + b.length >= cap) {
        chunks.push(b.subarray(0, cap - size));
        size = cap;
        res.body.destroy();
        break;
      }
      chunks.push(b);
      size += b.length;
    }
    result.body = Buffer.concat(chunks).toString("utf8");
    return done();
  } catch (err) {
    const blocked = blockedHostError(err);
    if (blocked) return done({ code: "blocked_host", message: blocked.message });
    if (ac.signal.aborted) return done({ code: "timeout", message: `Deadline of ${timeoutMs} ms exceeded` });
    return done({ code: "network", message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  } finally {
    clearTimeout(timer);
    await agent.close().catch(() => {});
  }
}
