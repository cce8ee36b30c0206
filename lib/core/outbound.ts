/**
 * Where outbound requests (crawls, feed refreshes, webhook deliveries, IndexNow) may go, by port. Pure: no I/O.
 *
 * Port policy (OWASP SSRF Prevention Cheat Sheet: restrict destination ports): a target URL's port (explicit, or
 * 80/443 by scheme) must be 80, 443 or one of the operator's extra ports in env `CRAWL_ALLOWED_PORTS` (comma list,
 * e.g. `8080,8443`), unless its exact `host:port` is on the allow-list env `CRAWL_ALLOW_HOSTS` (tests, intranets).
 * So `http://example.com:22/` (SSH), `:25` (SMTP), `:6379` (Redis), `:11211` (memcached) are refused. The same
 * policy is checked at input (zod schemas: 422) and again at connect time for every redirect hop
 * (lib/crawl/fetch.ts `guardedConnector`).
 *
 * - `parseAllowedPorts(value)` → ports, throws Error on an entry that is not an integer 1–65535.
 * - `allowedPortsFromEnv(env)` → Set of 80, 443 and CRAWL_ALLOWED_PORTS (read when called, never at import).
 * - `parseAllowHosts(value)` / `allowHostsFromEnv(env)` → normalised `host:port` keys of CRAWL_ALLOW_HOSTS.
 * - `urlPortError(url, env)` → why the URL's port is refused (a sentence), or null.
 */

/** Ports every outbound target may use: HTTP and HTTPS. */
export const DEFAULT_ALLOWED_PORTS: readonly number[] = [80, 443];

/** Parses a comma list of ports (`8080, 8443`); empty/undefined → []. Throws Error naming the bad entry. */
export function parseAllowedPorts(value: string | undefined): number[] {
  if (value === undefined) return [];
  const out: number[] = [];
  for (const raw of value.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const port = /^\d{1,5}$/.test(entry) ? Number(entry) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new Error(`Invalid CRAWL_ALLOWED_PORTS entry "${entry}": expected a port 1-65535, e.g. 8080`);
    out.push(port);
  }
  return out;
}

/** 80, 443 and env CRAWL_ALLOWED_PORTS. Throws like {@link parseAllowedPorts}. */
export function allowedPortsFromEnv(env: Record<string, string | undefined> = process.env): Set<number> {
  return new Set([...DEFAULT_ALLOWED_PORTS, ...parseAllowedPorts(env.CRAWL_ALLOWED_PORTS)]);
}

/**
 * Parses a comma-separated allow-list (`127.0.0.1:8081,localhost:3000,[::1]:8080`) into normalised
 * `host:port` keys (host lower-cased as WHATWG URL does; IPv6 in brackets). Empty/undefined → [].
 * Throws Error when an entry is not `host:port` with an explicit port 1–65535.
 */
export function parseAllowHosts(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const entries = typeof value === "string" ? value.split(",") : value;
  const keys: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === "") continue;
    const m = /^(.+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[2]) : NaN;
    let host: string | null = null;
    if (m && port >= 1 && port <= 65535 && !/[\s/?#@\\]/.test(m[1])) {
      try {
        host = new URL(`http://${m[1]}/`).hostname;
      } catch {
        host = null;
      }
    }
    if (!host) throw new Error(`Invalid crawl allow-list entry "${entry}": expected host:port, e.g. 127.0.0.1:8081`);
    keys.push(`${host}:${port}`);
  }
  return keys;
}

/**
 * Reads the allow-list from env CRAWL_ALLOW_HOSTS (comma-separated `host:port`). Called when a fetcher is
 * created, never at import time, so tests and workers can set the variable late. Throws like {@link parseAllowHosts}.
 */
export function allowHostsFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  return parseAllowHosts(env.CRAWL_ALLOW_HOSTS);
}

/** Port of an http(s) URL: the explicit one, else 443 for https and 80 otherwise. */
export const portOf = (u: URL): number => (u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80);

/**
 * Why `url`'s port is refused as an outbound target, or null when it is allowed (or `url` is not an absolute URL:
 * other checks report that). `opts.allowHosts` defaults to env CRAWL_ALLOW_HOSTS, `opts.env` to `process.env`; env
 * is read on each call. A malformed CRAWL_ALLOWED_PORTS/CRAWL_ALLOW_HOSTS counts as empty here (the configuration
 * check refuses it at start; where there is no `process`, only 80 and 443 pass).
 */
export function urlPortError(
  url: string,
  opts: { allowHosts?: readonly string[]; env?: Record<string, string | undefined> } = {},
): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const env = opts.env ?? globalThis.process?.env ?? {};
  const port = portOf(u);
  let ports: Set<number>;
  try {
    ports = allowedPortsFromEnv(env);
  } catch {
    ports = new Set(DEFAULT_ALLOWED_PORTS);
  }
  if (ports.has(port)) return null;
  let hosts: readonly string[];
  try {
    hosts = opts.allowHosts ? parseAllowHosts(opts.allowHosts) : allowHostsFromEnv(env);
  } catch {
    hosts = [];
  }
  if (hosts.includes(`${u.hostname}:${port}`)) return null;
  const list = [...ports].sort((a, b) => a - b).join(", ");
  return `Port ${port} is not allowed: outbound requests go to ports ${list} (the operator can add ports with CRAWL_ALLOWED_PORTS).`;
}
