/**
 * The one HTTP client of the crawler: every outbound request (robots.txt, pages, later sitemaps named in
 * robots.txt) goes through a {@link Fetcher} so that the SSRF guard, deadline and body cap cannot be skipped.
 *
 * - Transport: one undici `Agent` per fetcher (HTTP/1.1 keep-alive, one pool per origin). Redirects are NOT
 *   followed here: a 3xx comes back with `location` resolved and normalised, and the caller decides
 *   (the crawler records it and re-enters this module for the next hop, so every hop is re-checked).
 * - SSRF guard (OWASP SSRF Prevention Cheat Sheet): only http/https, no
 *   credentials; an IP-literal host is checked before anything is sent; a host name is resolved with the
 *   injectable `lookup` inside the connector, EVERY answer must be public unicast (ipaddr.js `range()` ===
 *   "unicast", IPv4-mapped IPv6 judged as IPv4, plus cloud metadata addresses), and the socket connects to the
 *   vetted answer (no second resolution, so DNS rebinding between check and connect is impossible).
 *   The guard is lifted only by the exact `host:port` allow-list (option, default env CRAWL_ALLOW_HOSTS): a URL
 *   whose host:port is listed connects without vetting; an entry whose host is an IP literal also admits that
 *   address as a DNS answer on that port (same destination socket, whatever name led there).
 * - Ports (lib/core/outbound.ts): 80, 443 and env CRAWL_ALLOWED_PORTS; any other port only for an exact allow-listed
 *   host:port (or a name whose every DNS answer is allow-listed on that port). Checked before sending and again in
 *   the connector, so every redirect hop (a new request here) is re-checked.
 * - Credentials (staging sites): `credentials.headers` (Authorization, Cookie, custom fields) are attached only
 *   to requests whose origin is exactly `credentials.origin`. This module never follows redirects, so a hop to
 *   another host is a new request to another origin and gets none of them.
 * - Deadline: `timeoutMs` is a total budget for connect + headers + body (a slow-drip server is cut off),
 *   enforced with a per-request abort handle; undici's idle timeouts are set to the same value. A GET whose
 *   connection dies before any response is retried once within the same deadline (stale keep-alive socket).
 * - Body: `Accept-Encoding: gzip, deflate, br`; bodies are decompressed here and the cap `maxBodyBytes` counts
 *   decompressed bytes (a gzip bomb stops at the cap). Over the cap, reading stops, `body` holds the first
 *   `maxBodyBytes` bytes and `error.code` is "body_too_large".
 *
 * Errors: `fetch()` never throws for network or policy failures; it resolves with `error` set
 * (see {@link FetchErrorCode}) and `status` null when no response head arrived.
 * `parseAllowHosts` throws on a malformed allow-list entry; `credentialHeaders` on a forbidden header name.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { EventEmitter } from "node:events";
import { isIP, type LookupFunction } from "node:net";
import { FORBIDDEN_CUSTOM_HEADERS, type SiteAuth } from "@/lib/core/types";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector } from "undici";
import { normalizeUrl } from "@/lib/core/url";
import { allowedPortsFromEnv, allowHostsFromEnv, parseAllowHosts } from "@/lib/core/outbound";
import { decoders, flattenHeaders, headerValue, readCapped } from "./fetch-body";

/** One DNS answer. */
export type LookupAddress = { address: string; family: 4 | 6 };
/**
 * Resolves a host name to all of its addresses (like `dns.promises.lookup(host, { all: true })`).
 * Injectable so tests can simulate DNS answers (and rebinding) without a network.
 */
export type LookupFn = (hostname: string) => Promise<LookupAddress[]>;

/**
 * Why a fetch produced no (complete) response.
 * - blocked_host: the SSRF guard refused the address; nothing was sent.
 * - invalid_url: not an absolute http(s) URL, or it carries credentials; nothing was sent.
 * - timeout: the total deadline `timeoutMs` passed (connect, headers or body).
 * - aborted: the caller's `signal` fired.
 * - body_too_large: more than `maxBodyBytes` decompressed bytes; `body` holds the first `maxBodyBytes`.
 * - decode: unsupported or corrupt Content-Encoding.
 * - network: DNS failure, refused/reset connection, malformed response.
 */
export type FetchErrorCode = "blocked_host" | "invalid_url" | "timeout" | "aborted" | "body_too_large" | "decode" | "network";
/**
 * `cause`: for "network" (and "timeout" on connect), the system or TLS error code found in the error's cause chain
 * (`ENOTFOUND`, `EAI_AGAIN`, `ECONNREFUSED`, `ECONNRESET`, `CERT_HAS_EXPIRED`, `UND_ERR_CONNECT_TIMEOUT`, …), when
 * there is one; lib/core/run-outcome.ts turns it into a run's failure code.
 */
export type FetchError = { code: FetchErrorCode; message: string; cause?: string };

/** What one request produced. */
export type FetchResult = {
  /** The requested URL, normalised. */
  url: string;
  /** HTTP status, or null when no response head arrived. */
  status: number | null;
  /** Response header fields, names lower-cased; a repeated field keeps every value in an array. */
  headers: Record<string, string | string[]>;
  /** Decompressed body; null when not read (see `readBody`) or when no response arrived. */
  body: Buffer | null;
  /** The Content-Type field value as sent (e.g. `text/html; charset=utf-8`), or null. */
  contentType: string | null;
  /** For a 3xx: the Location field resolved against `url` and normalised; null when missing or not http(s). */
  location?: string | null;
  error?: FetchError;
};

export type FetcherOptions = {
  /** Sent as User-Agent. */
  userAgent: string;
  /** Total deadline per request, ms. */
  timeoutMs: number;
  /** Max decompressed body bytes read per response. */
  maxBodyBytes: number;
  /** Exact `host:port` entries exempt from the SSRF guard. Default: {@link allowHostsFromEnv}(). */
  allowHosts?: readonly string[];
  /** DNS resolver; default `dns.promises.lookup(host, { all: true, verbatim: true })`. */
  lookup?: LookupFn;
  /** Max sockets per origin; default unlimited (callers bound concurrency themselves). */
  connections?: number;
  /**
   * Header fields sent only to `origin` (exact scheme://host:port match), e.g. from {@link credentialHeaders}.
   * Requests to any other origin never carry them.
   */
  credentials?: { origin: string; headers: Record<string, string> } | null;
};

export type FetchRequestOptions = {
  /** Cancels the request (result `error.code` "aborted"). */
  signal?: AbortSignal;
  /**
   * Decides from the response head whether the body is worth reading. Default: always.
   * When false, the body is discarded (up to 64 KiB is drained so the socket can be reused) and `body` is null.
   */
  readBody?: (head: { status: number; contentType: string | null; headers: Record<string, string | string[]> }) => boolean;
  /** Overrides the fetcher's `maxBodyBytes` for this request (bytes). */
  maxBodyBytes?: number;
  /** Accept header; default prefers HTML. */
  accept?: string;
  /** Extra request header fields (lower-case names), e.g. If-None-Match. Cannot replace the crawler's own fields. */
  headers?: Record<string, string>;
  /**
   * Streams the decompressed body: each chunk is handed to `onChunk` (still counted against the cap) instead of
   * being collected, and `body` is an empty Buffer. For large documents parsed incrementally (sitemaps).
   */
  onChunk?: (chunk: Buffer) => void;
};

export type Fetcher = {
  /** GET `url` under the guard, deadline and cap. Never rejects for network/policy failures (see `error`). */
  fetch(url: string, opts?: FetchRequestOptions): Promise<FetchResult>;
  /** Closes pooled sockets. The fetcher must not be used afterwards. */
  close(): Promise<void>;
};

const DEFAULT_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";
const DRAIN_LIMIT = 64 * 1024;

/**
 * Cloud metadata endpoints that sit in ranges ipaddr.js calls "unicast" (Azure WireServer/IMDS proxy).
 * 169.254.169.254 (AWS/GCP/Azure/OCI), fd00:ec2::254 (AWS IPv6) and 100.100.100.200 (Alibaba) are already
 * outside "unicast" (link-local, unique-local, CGNAT).
 */
const EXTRA_BLOCKED = new Set(["168.63.129.16"]);

/**
 * True when `ip` (IPv4 dotted or IPv6, brackets allowed) is a public unicast address a crawler may contact:
 * ipaddr.js `range()` is "unicast" (so loopback, private, link-local, CGNAT, unique-local, multicast,
 * unspecified, reserved, 6to4/Teredo/NAT64 and other special ranges are refused) and it is not a known
 * metadata address. IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries.
 * Unparseable input → false.
 */
export function isPublicAddress(ip: string): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(stripBrackets(ip));
  } catch {
    return false;
  }
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  if (addr.range() !== "unicast") return false;
  return !EXTRA_BLOCKED.has(addr.toNormalizedString());
}

// The allow-list and port policy are parsed in lib/core/outbound.ts (the zod schemas check URLs with them too).
export { allowHostsFromEnv, parseAllowHosts } from "@/lib/core/outbound";
export { headerValue };

/** Node-style `host:port` key of a URL, as compared with the allow-list. */
function hostKey(u: URL): string {
  return `${u.hostname}:${u.port || (u.protocol === "https:" ? 443 : 80)}`;
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** Allow-list key of an address answer on a port: `1.2.3.4:80`, `[::1]:8080`. */
function addressKey(address: string, port: number): string {
  return address.includes(":") ? `[${address.toLowerCase()}]:${port}` : `${address}:${port}`;
}

/** Request header names a sitemap's custom headers may not set (defined in lib/core/types.ts). */
export { FORBIDDEN_CUSTOM_HEADERS };
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Request header fields for a staging site's credentials: `authorization: Basic base64(user:password)`
 * (RFC 7617, UTF-8), `cookie: a=1; b=2` (RFC 6265 §5.4), and the custom fields (names lower-cased).
 * Throws TypeError for a name that is not an RFC 9110 token, a forbidden name ({@link FORBIDDEN_CUSTOM_HEADERS}),
 * or a value/cookie containing CR, LF or NUL (header injection).
 */
export function credentialHeaders(auth: SiteAuth | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!auth) return out;
  const badValue = (v: string) => /[\r\n\0]/.test(v);
  for (const [rawName, value] of Object.entries(auth.headers ?? {})) {
    const name = rawName.toLowerCase();
    if (!TOKEN.test(name) || FORBIDDEN_CUSTOM_HEADERS.has(name)) throw new TypeError(`Header "${rawName}" cannot be set for a crawl`);
    if (badValue(value)) throw new TypeError(`Header "${rawName}" has a line break in its value`);
    out[name] = value;
  }
  const cookies = Object.entries(auth.cookies ?? {});
  if (cookies.length > 0) {
    for (const [k, v] of cookies) {
      if (!TOKEN.test(k) || /[;,\s"\\]/.test(v) || badValue(v)) throw new TypeError(`Cookie "${k}" is not a valid cookie name/value`);
    }
    out.cookie = cookies.map(([k, v]) => `${k}=${v}`).join("; ");
  }
  if (auth.basicAuth) {
    const { username, password } = auth.basicAuth;
    if (username.includes(":")) throw new TypeError("A basic-auth user name cannot contain ':' (RFC 7617)");
    out.authorization = "Basic " + Buffer.from(`${username}:${password}`, "utf8").toString("base64");
  }
  return out;
}

/**
 * Per-request abort handle. undici accepts an EventEmitter with `aborted`/`reason` as `signal`; it costs a
 * fraction of an AbortController (whose AbortSignal setup was ~1.5 % of crawl CPU at 1,000 requests/s).
 */
class Deadline extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit("abort");
  }
}

class BlockedHostError extends Error {
  readonly code = "ERR_BLOCKED_HOST";
  constructor(host: string, address: string, why = "not a public unicast address and not on the allow-list") {
    super(`Refused to connect to ${host} (${address}): ${why}`);
    this.name = "BlockedHostError";
  }
}

const defaultLookup: LookupFn = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })) as LookupAddress[];

/**
 * Adapts a {@link LookupFn} to `net.connect`'s `lookup` option. With `vet`, any answer that is neither public
 * nor admitted by `vet` (an allow-listed address on this port) fails the connection with BlockedHostError;
 * the answers are handed to net.connect as they are, so the socket connects to exactly the addresses that were
 * checked (one resolution per connection). Node ≥ 20 asks with `{ all: true }` (happy eyeballs).
 */
function netLookup(resolve: LookupFn, vet: ((address: string) => boolean) | null, publicOk = true): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (addrs) => {
        if (addrs.length === 0) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }));
        if (vet) {
          const bad = addrs.find((a) => !(publicOk && isPublicAddress(a.address)) && !vet(a.address));
          if (bad) return cb(new BlockedHostError(hostname, bad.address, publicOk ? undefined : "not on the allow-list for this port"));
        }
        if (options?.all) cb(null, addrs);
        else cb(null, addrs[0].address, addrs[0].family);
      },
      (err: unknown) => cb(err),
    );
  }) as unknown as LookupFunction;
}

function isStaleSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === "UND_ERR_SOCKET" || code === "ECONNRESET" || code === "EPIPE";
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && code.startsWith("Z_");
}

/** The first string `code` in an error's cause chain (undici wraps socket and TLS errors), or undefined. */
function causeCode(err: unknown): string | undefined {
  for (let e = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR_SOCKET") return code;
  }
  return undefined;
}

function findBlocked(err: unknown): BlockedHostError | null {
  for (let e = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof BlockedHostError) return e;
  }
  return null;
}

/**
 * The SSRF guard at connect time, as an undici `connect` function (Node's fetch ignores http.Agent, so the guard lives
 * in the dispatcher; OWASP SSRF Prevention Cheat Sheet, undici issue #2019). undici calls it for every new socket,
 * redirects included: an exact `host:port` of `allow` connects as asked; an IP literal must be public unicast; a host
 * name is resolved by `lookup` inside the connector, EVERY answer must be public unicast (or its `address:port`
 * allow-listed), and the socket connects to the vetted answer, so a second resolution (DNS rebinding) cannot swap it.
 * Ports (lib/core/outbound.ts): only `ports` (default 80, 443 and env CRAWL_ALLOWED_PORTS) are connected to, unless
 * the exact `host:port` is allow-listed; on any other port a host name connects only when every DNS answer is an
 * allow-listed `address:port` (public answers are not enough there).
 * A refusal fails the connection with a BlockedHostError (see {@link blockedHostError}).
 * Used by the crawler's fetcher and by the outbound POSTs of submission and webhooks (lib/submit/http.ts).
 * Throws Error at creation on a malformed CRAWL_ALLOWED_PORTS (when `ports` is not given).
 */
export function guardedConnector(opts: {
  allow: ReadonlySet<string>;
  lookup?: LookupFn;
  connectTimeout: number;
  ports?: ReadonlySet<number>;
}): buildConnector.connector {
  const { allow, connectTimeout } = opts;
  const lookup = opts.lookup ?? defaultLookup;
  const ports = opts.ports ?? allowedPortsFromEnv();
  const open = buildConnector({ timeout: connectTimeout, lookup: netLookup(lookup, null) });
  // One vetting connector per port, because an allow-listed IP:port admits that address only on that port.
  const guardedByPort = new Map<number, buildConnector.connector>();
  const guardedFor = (port: number) => {
    let c = guardedByPort.get(port);
    if (!c) {
      c = buildConnector({ timeout: connectTimeout, lookup: netLookup(lookup, (address) => allow.has(addressKey(address, port)), ports.has(port)) });
      guardedByPort.set(port, c);
    }
    return c;
  };
  return (connectOpts, cb) => {
    const port = Number(connectOpts.port) || (connectOpts.protocol === "https:" ? 443 : 80);
    const bare = stripBrackets(connectOpts.hostname).toLowerCase();
    const host = bare.includes(":") ? `[${bare}]` : bare;
    if (allow.has(`${host}:${port}`)) return open(connectOpts, cb);
    const refused = portRefusal(allow, ports, bare, port);
    if (refused) return cb(refused, null);
    if (isIP(bare)) {
      if (!isPublicAddress(bare)) return cb(new BlockedHostError(host, bare), null);
      return open(connectOpts, cb); // a public literal needs no resolution
    }
    return guardedFor(port)(connectOpts, cb);
  };
}

/**
 * The port policy's refusal for `host` (bare, lower-cased) on `port`, or null: a port outside `ports` is refused
 * unless the exact host:port is allow-listed, or `host` is a name and some allow-list entry names that port (then the
 * connector admits only DNS answers allow-listed on it).
 */
function portRefusal(allow: ReadonlySet<string>, ports: ReadonlySet<number>, host: string, port: number): BlockedHostError | null {
  if (ports.has(port)) return null;
  const key = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  if (allow.has(key)) return null;
  if (!isIP(host) && [...allow].some((k) => k.endsWith(`:${port}`))) return null;
  const list = [...ports].sort((a, b) => a - b).join(", ");
  return new BlockedHostError(key, host, `port ${port} is not allowed (allowed: ${list}; CRAWL_ALLOWED_PORTS adds ports)`);
}

/** The guard's refusal inside an error's cause chain (undici wraps connector errors), or null. */
export function blockedHostError(err: unknown): Error | null {
  return findBlocked(err);
}

/**
 * Creates a fetcher with its own connection pool. Reads the allow-list (option or env) and CRAWL_ALLOWED_PORTS now.
 * Throws Error on a malformed allow-list entry or port list, or a non-positive timeout/cap.
 */
export function createFetcher(options: FetcherOptions): Fetcher {
  const { userAgent, timeoutMs, maxBodyBytes } = options;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
  if (!(maxBodyBytes > 0)) throw new RangeError(`maxBodyBytes must be > 0, got ${maxBodyBytes}`);
  const allow = new Set(options.allowHosts ? parseAllowHosts(options.allowHosts) : allowHostsFromEnv());
  const ports = allowedPortsFromEnv();
  const connect = guardedConnector({ allow, ports, lookup: options.lookup ?? defaultLookup, connectTimeout: Math.min(timeoutMs, 10_000) });
  const credentials = options.credentials && Object.keys(options.credentials.headers).length > 0 ? options.credentials : null;

  const agent = new Agent({
    connect,
    connections: options.connections ?? null,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 4_000,
  });

  async function fetchOne(url: string, ro: FetchRequestOptions = {}): Promise<FetchResult> {
    const result: FetchResult = { url, status: null, headers: {}, body: null, contentType: null };
    const fail = (code: FetchErrorCode, message: string): FetchResult => ((result.error = { code, message }), result);

    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return fail("invalid_url", `Not an absolute URL: ${url}`);
    }
    if ((u.protocol !== "http:" && u.protocol !== "https:") || u.username !== "" || u.password !== "") {
      return fail("invalid_url", `Only http(s) URLs without credentials are fetched: ${url}`);
    }
    u.hash = "";
    result.url = u.href; // same as normalizeUrl(url), without parsing twice
    if (!allow.has(hostKey(u))) {
      const host = stripBrackets(u.hostname);
      const port = Number(u.port) || (u.protocol === "https:" ? 443 : 80);
      const refused = portRefusal(allow, ports, host, port);
      if (refused) return fail("blocked_host", refused.message);
      if (isIP(host) && !isPublicAddress(host)) return fail("blocked_host", new BlockedHostError(u.hostname, host).message);
    }
    const headers: Record<string, string> = {
      ...ro.headers,
      "user-agent": userAgent,
      accept: ro.accept ?? DEFAULT_ACCEPT,
      "accept-encoding": "gzip, deflate, br",
    };
    if (credentials !== null && u.origin === credentials.origin) Object.assign(headers, credentials.headers);

    const outer = ro.signal;
    if (outer?.aborted) return fail("aborted", "Aborted before the request was sent");
    const ac = new Deadline();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new Error(`Deadline of ${timeoutMs} ms exceeded`));
    }, timeoutMs);
    const onOuterAbort = () => ac.abort(outer?.reason);
    outer?.addEventListener("abort", onOuterAbort, { once: true });

    const send = () =>
      agent.request({
        origin: u.origin,
        path: result.url.slice(u.origin.length), // not pathname+search: that loses a bare "?"
        method: "GET",
        headers,
        signal: ac,
      });
    try {
      let res: Awaited<ReturnType<typeof send>>;
      try {
        res = await send();
      } catch (err) {
        // A kept-alive socket the server closed just as we reused it fails before any response; GET is
        // idempotent (RFC 9110 §9.2.2), so one retry within the same deadline is safe.
        if (!isStaleSocketError(err) || timedOut || outer?.aborted) throw err;
        res = await send();
      }
      const headers = flattenHeaders(res.headers);
      result.status = res.statusCode;
      result.headers = headers;
      result.contentType = headerValue(headers, "content-type");
      if (res.statusCode >= 300 && res.statusCode < 400) {
        const loc = headerValue(headers, "location");
        result.location = loc === null ? null : normalizeUrl(loc, u);
      }

      const want = ro.readBody ? ro.readBody({ status: res.statusCode, contentType: result.contentType, headers }) : true;
      if (!want) {
        await res.body.dump({ limit: DRAIN_LIMIT });
        return result;
      }
      const codecs = decoders(headerValue(headers, "content-encoding") ?? undefined);
      if (codecs === null) {
        res.body.on("error", () => {}); // undici emits its abort error on destroy; nothing to report
        res.body.destroy();
        return fail("decode", `Unsupported Content-Encoding: ${headerValue(headers, "content-encoding")}`);
      }
      const cap = ro.maxBodyBytes ?? maxBodyBytes;
      const { buf, truncated } = await readCapped(res.body, codecs, cap, ro.onChunk);
      result.body = buf;
      if (truncated) return fail("body_too_large", `Body exceeds ${cap} bytes (decompressed); read stopped at the cap`);
      return result;
    } catch (err) {
      const blocked = findBlocked(err);
      if (blocked) return fail("blocked_host", blocked.message);
      if (timedOut) return fail("timeout", `Deadline of ${timeoutMs} ms exceeded`);
      if (outer?.aborted) return fail("aborted", "Aborted by caller");
      if (isZlibError(err)) return fail("decode", (err as Error).message);
      const failed = fail("network", err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      const cause = causeCode(err);
      if (cause) failed.error!.cause = cause;
      return failed;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    }
  }

  return {
    fetch: fetchOne,
    close: () => agent.close(),
  };
}

/**
 * One-shot convenience: creates a fetcher, fetches `url`, closes the pool. For repeated requests
 * (a crawl) create one fetcher and reuse it so keep-alive works.
 */
export async function safeFetch(
  url: string,
  options: FetcherOptions & FetchRequestOptions,
): Promise<FetchResult> {
  const fetcher = createFetcher(options);
  try {
    return await fetcher.fetch(url, options);
  } finally {
    await fetcher.close();
  }
}
