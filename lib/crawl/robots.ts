/**
 * robots.txt for one origin, per RFC 9309 (Robots Exclusion Protocol, https://www.rfc-editor.org/rfc/rfc9309).
 * Our own parser and matcher, checked against google/robotstxt's conformance suite (robots.google.test.ts).
 *
 * Fetching (§2.3.1), always through lib/crawl/fetch.ts so the SSRF guard applies to every hop:
 * - 2xx → parse the body: its first {@link ROBOTS_MAX_BYTES} bytes (§2.5 asks for ≥ 500 KiB; a body cut at the
 *   cap loses its last, partial line), UTF-8, a leading BOM (also a partial one) skipped.
 * - 3xx → follow up to {@link ROBOTS_MAX_REDIRECTS} redirects, even to other hosts (§2.3.1.2); more → "unavailable".
 * - 4xx → "unavailable": everything allowed (§2.3.1.3). Exception: 429 is treated like 5xx, as Google does,
 *   because a rate-limited answer says nothing about what the site permits.
 * - 5xx, timeout, network or decoding error → "unreachable": complete disallow (§2.3.1.4); the crawler
 *   fetches no page at all. (The crawler's fetch wrapper first retries 429/503 with back-off.)
 * - the origin itself refused by the SSRF guard → "blocked".
 * {@link createRobotsCache} fetches each origin's robots.txt at most once per crawl (§2.4 allows caching ≤ 24 h).
 *
 * Parsing (§2.1, §2.2), the way google/robotstxt does it:
 * - lines end in LF, CRLF or CR; `#` starts a comment; names are case-insensitive; a line without ":" is accepted
 *   when it is exactly two words ("disallow /"); lines are cut at {@link ROBOTS_MAX_LINE_LENGTH} characters;
 *   common misspellings of the names are accepted ("useragent", "dissallow", …).
 * - a group is a run of user-agent lines followed by rules; a user-agent line after a rule starts a new group;
 *   rules before any user-agent line are ignored; groups naming the same agent are merged.
 * - a user-agent value is matched by its leading `[A-Za-z_-]` run, case-insensitively, against our product token
 *   (`SitemapForgeBot` from `SitemapForgeBot/0.1 (+https://…)`); `*` is the fallback group, used only when no
 *   group names our token.
 * - `Sitemap:` lines count anywhere in the file; `Crawl-delay:` (seconds, not in the RFC) of the chosen group is
 *   exposed for the crawler's optional politeness delay.
 * Matching (§2.2.2, §2.2.3): the path and query of the URL against each rule of the chosen group; the longest
 * matching pattern (in octets) wins and Allow wins a tie; `*` and a final `$` as in lib/crawl/pattern.ts.
 * Both sides are compared percent-encoded: non-ASCII is UTF-8 percent-encoded, hex digits upper-cased, and
 * percent-encoded unreserved characters decoded (§2.2.2: "/%7Ejoe" = "/~joe"). That last rule is where we
 * differ, deliberately, from google/robotstxt's pre-RFC behaviour (it treats "%62%61%7A" and "baz" as different).
 * Google-only extensions not implemented: "index.html" at the end of a pattern meaning the directory.
 */
import { normalizeUrl } from "@/lib/core/url";
import type { Fetcher } from "./fetch";
import { compilePattern, type PatternMatcher } from "./pattern";

/** Bytes of robots.txt parsed at most (RFC 9309 §2.5: at least 500 KiB). */
export const ROBOTS_MAX_BYTES = 512 * 1024;
/** Redirect hops followed for robots.txt (RFC 9309 §2.3.1.2: at least five). */
export const ROBOTS_MAX_REDIRECTS = 5;
/** Characters kept per line (google/robotstxt: 8 × 2,083 bytes including the line end). */
export const ROBOTS_MAX_LINE_LENGTH = 8 * 2083 - 1;

/**
 * - parsed: a 2xx body was parsed; its rules apply.
 * - unavailable: 4xx (or too many redirects): everything allowed.
 * - unreachable: 5xx/429/network/timeout: everything disallowed.
 * - blocked: the origin's address was refused by the SSRF guard; nothing was sent.
 * - disabled: robots.txt not consulted (`respectRobots: false`); everything allowed.
 */
export type RobotsOutcome = "parsed" | "unavailable" | "unreachable" | "blocked" | "disabled";

export type RobotsPolicy = {
  outcome: RobotsOutcome;
  /** Status of the last robots.txt response, or null when none arrived. */
  status: number | null;
  /** True when our user agent may fetch `url` (an absolute URL on this origin; only its path and query count). */
  isAllowed(url: string): boolean;
  /**
   * The rule that disallows `url` for our user agent, as written (`Disallow: /private/`) with its 1-based line, or
   * null when `url` is allowed. Same precedence as `isAllowed` (longest match; Allow wins a tie). Off the hot path:
   * called only for a URL already found disallowed, to explain its record.
   */
  disallowedBy?(url: string): { rule: string; line: number } | null;
  /** `Sitemap:` records (sitemaps.org: absolute URLs, independent of groups), normalised, deduplicated. */
  sitemaps: string[];
  /** `Crawl-delay` of the group that applies to us, in seconds, or null (absent, invalid, or no robots.txt). */
  crawlDelaySec: number | null;
  /** Why robots.txt was unreachable or blocked (for logs). */
  error?: string;
};

/** One recognised line of a robots.txt file (1-based line number), as {@link tokenizeRobotsTxt} reports it. */
export type RobotsLine = {
  line: number;
  key: "user-agent" | "allow" | "disallow" | "sitemap" | "crawl-delay" | "unknown";
  /** The name as written (for unknown lines). */
  name: string;
  value: string;
};

/**
 * The product token of a User-Agent string (RFC 9309 §2.2.1 / RFC 9110 §10.1.5): the leading run of
 * `[A-Za-z_-]`, e.g. `SitemapForgeBot` from `SitemapForgeBot/0.1 (+https://…)`. Empty string when none.
 */
export function productToken(userAgent: string): string {
  return /^[A-Za-z_-]+/.exec(userAgent.trim())?.[0] ?? "";
}

const KEYS: Record<string, RobotsLine["key"]> = {
  "user-agent": "user-agent",
  useragent: "user-agent",
  "user agent": "user-agent",
  allow: "allow",
  disallow: "disallow",
  dissallow: "disallow",
  dissalow: "disallow",
  disalow: "disallow",
  diasllow: "disallow",
  disallaw: "disallow",
  sitemap: "sitemap",
  "site-map": "sitemap",
  "crawl-delay": "crawl-delay",
};

/** Drops a leading UTF-8 BOM, or the first one or two bytes of one (google/robotstxt tolerates partial BOMs). */
function stripBom(body: Buffer): Buffer {
  let i = 0;
  const bom = [0xef, 0xbb, 0xbf];
  while (i < 3 && i < body.length && body[i] === bom[i]) i++;
  return i > 0 ? body.subarray(i) : body;
}

/**
 * Splits robots.txt into recognised lines (module doc: line ends, comments, missing colons, line length,
 * misspellings). Blank and comment-only lines are skipped; lines with a name we do not know are "unknown".
 * `input` as bytes has its BOM stripped and is decoded as UTF-8; as a string, a leading U+FEFF is dropped.
 */
export function tokenizeRobotsTxt(input: string | Buffer): RobotsLine[] {
  let text = typeof input === "string" ? input : stripBom(input).toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: RobotsLine[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    if (line.length > ROBOTS_MAX_LINE_LENGTH) line = line.slice(0, ROBOTS_MAX_LINE_LENGTH);
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash);
    line = trimBlanks(line);
    if (line === "") continue;
    let name: string;
    let value: string;
    const colon = line.indexOf(":");
    if (colon >= 0) {
      name = trimBlanks(line.slice(0, colon));
      value = trimBlanks(line.slice(colon + 1));
    } else {
      // google/robotstxt: a forgotten colon is accepted when the line is exactly two words.
      const m = /^(\S+)[ \t]+(\S+)$/.exec(line);
      if (!m) {
        out.push({ line: n + 1, key: "unknown", name: line, value: "" });
        continue;
      }
      name = m[1];
      value = m[2];
    }
    out.push({ line: n + 1, key: KEYS[name.toLowerCase()] ?? "unknown", name, value });
  }
  return out;
}

/**
 * Trims spaces and tabs only (RFC 9309 §2.2 "WS"): String#trim would also eat a U+FEFF in the middle of the
 * file, which google/robotstxt treats as garbage that spoils its line.
 */
function trimBlanks(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, "");
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * Canonical percent-encoding for comparison (module doc): UTF-8 percent-encoding of non-ASCII, upper-case hex,
 * unreserved characters decoded. ASCII-only strings without "%" come back as they are.
 */
export function canonicalPercentEncoding(s: string): string {
  let out = s;
  if (/[^\x00-\x7f]/.test(out)) {
    out = out.replace(/[^\x00-\x7f]+/g, (run) => {
      let enc = "";
      for (const b of Buffer.from(run, "utf8")) enc += "%" + b.toString(16).toUpperCase().padStart(2, "0");
      return enc;
    });
  }
  if (!out.includes("%")) return out;
  return out.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : "%" + hex.toUpperCase();
  });
}

/**
 * The part of a URL that robots.txt rules see: path, `;params` and `?query`, without fragment, in canonical
 * percent-encoding. An absolute URL is parsed by WHATWG rules (so non-ASCII gets percent-encoded as RFC 9309
 * requires); anything unparsable counts as "/" (google/robotstxt: an empty URL is the root path).
 */
export function robotsPath(url: string): string {
  let path: string | null = null;
  // Fast path for the crawler's own normalised URLs: printable ASCII, "scheme://host/...".
  if (/^https?:\/\/[^/]+\//.test(url) && !/[^\x21-\x7e]/.test(url)) {
    const start = url.indexOf("/", url.indexOf("//") + 2);
    const hash = url.indexOf("#", start);
    path = hash >= 0 ? url.slice(start, hash) : url.slice(start);
  } else {
    try {
      const u = new URL(url);
      path = u.pathname + u.search;
    } catch {
      path = "/";
    }
  }
  return canonicalPercentEncoding(path || "/");
}

/** One Allow/Disallow rule: its pattern length (precedence), matcher, and where it was written (line, value). */
type Rule = { allow: boolean; priority: number; matches: PatternMatcher; line: number; text: string };
type Group = { agents: string[]; rules: Rule[]; crawlDelay: number | null };

/**
 * Parses robots.txt `input` (bytes or text) fetched for `origin` (e.g. `http://127.0.0.1:8081`) and returns a
 * policy for `userAgent` (full User-Agent string or bare product token). Pure; never throws. Rules look only at
 * a URL's path and query, so `origin` is informational; `Sitemap:` values must be absolute (relative ones are
 * dropped, as sitemaps.org requires).
 */
export function parseRobotsTxt(input: string | Buffer, _origin: string, userAgent: string): RobotsPolicy {
  const groups: Group[] = [];
  const sitemaps = new Set<string>();
  let current: Group | null = null;
  let sawRule = false;
  for (const { key, value, line } of tokenizeRobotsTxt(input)) {
    if (key === "user-agent") {
      if (current === null || sawRule) {
        current = { agents: [], rules: [], crawlDelay: null };
        groups.push(current);
        sawRule = false;
      }
      // "*" alone (or followed by blanks) is the global group; otherwise the leading product-token characters.
      const agent = /^\*(\s|$)/.test(value) ? "*" : (/^[A-Za-z_-]+/.exec(value)?.[0] ?? "").toLowerCase();
      if (agent !== "") current.agents.push(agent);
    } else if (key === "allow" || key === "disallow") {
      if (current === null) continue; // §2.1: rules outside any group are ignored
      sawRule = true;
      // An empty pattern matches nothing that could outrank another rule (google/robotstxt: priority 0 is ignored).
      if (value === "") continue;
      const pattern = canonicalPercentEncoding(value);
      current.rules.push({ allow: key === "allow", priority: pattern.length, matches: compilePattern(pattern), line, text: value });
    } else if (key === "sitemap") {
      const u = normalizeUrl(value); // sitemaps.org: the location is an absolute URL; relative ones are dropped
      if (u !== null) sitemaps.add(u);
    } else if (key === "crawl-delay") {
      const sec = Number(value);
      if (current !== null && current.crawlDelay === null && value !== "" && Number.isFinite(sec) && sec >= 0) current.crawlDelay = sec;
    }
  }

  const token = productToken(userAgent).toLowerCase();
  let chosen = token === "" ? [] : groups.filter((g) => g.agents.includes(token));
  if (chosen.length === 0) chosen = groups.filter((g) => g.agents.includes("*"));
  const rules = chosen.flatMap((g) => g.rules);
  const crawlDelaySec = chosen.find((g) => g.crawlDelay !== null)?.crawlDelay ?? null;

  const isAllowed =
    rules.length === 0
      ? () => true
      : (url: string) => {
          const path = robotsPath(url);
          let allow = -1;
          let disallow = -1;
          for (const r of rules) {
            if (r.allow ? r.priority <= allow : r.priority <= disallow) continue;
            if (!r.matches(path)) continue;
            if (r.allow) allow = r.priority;
            else disallow = r.priority;
          }
          return !(disallow > allow);
        };
  const disallowedBy = (url: string): { rule: string; line: number } | null => {
    const path = robotsPath(url);
    let allow: Rule | null = null;
    let disallow: Rule | null = null;
    for (const r of rules) {
      if (!r.matches(path)) continue;
      if (r.allow) {
        if (allow === null || r.priority > allow.priority) allow = r;
      } else if (disallow === null || r.priority > disallow.priority) disallow = r;
    }
    if (disallow === null || (allow !== null && allow.priority >= disallow.priority)) return null;
    return { rule: `Disallow: ${disallow.text}`, line: disallow.line };
  };
  return { outcome: "parsed", status: 200, isAllowed, disallowedBy, sitemaps: [...sitemaps], crawlDelaySec };
}

/** A policy that allows everything, for `outcome` "unavailable" or "disabled". */
export function allowAll(outcome: "unavailable" | "disabled", status: number | null = null): RobotsPolicy {
  return { outcome, status, isAllowed: () => true, sitemaps: [], crawlDelaySec: null };
}

function disallowAll(outcome: "unreachable" | "blocked", status: number | null, error: string): RobotsPolicy {
  return { outcome, status, isAllowed: () => false, sitemaps: [], crawlDelaySec: null, error };
}

/** The subset of {@link Fetcher} that robots.txt needs (the crawler passes a paced, retrying wrapper). */
export type RobotsFetcher = Pick<Fetcher, "fetch">;

/**
 * Fetches and parses `${origin}/robots.txt` with `fetcher`, following RFC 9309's status rules (module doc).
 * Never rejects for HTTP or network failures; those become the outcome. `signal` aborts the fetch (the result
 * is then "unreachable"; the caller is expected to check its own signal).
 */
export async function fetchRobots(
  origin: string,
  opts: { fetcher: RobotsFetcher; userAgent: string; signal?: AbortSignal },
): Promise<RobotsPolicy> {
  let url = `${origin}/robots.txt`;
  const seen = new Set<string>();
  for (let hop = 0; ; hop++) {
    seen.add(url);
    const res = await opts.fetcher.fetch(url, {
      signal: opts.signal,
      maxBodyBytes: ROBOTS_MAX_BYTES,
      accept: "text/plain,*/*;q=0.8",
      readBody: ({ status }) => status >= 200 && status < 300,
    });
    const status = res.status;
    if (res.error && res.error.code !== "body_too_large") {
      // Only the origin's own address being refused means "blocked"; a refused redirect hop is unreachable.
      if (res.error.code === "blocked_host" && hop === 0) return disallowAll("blocked", null, res.error.message);
      return disallowAll("unreachable", status, `${res.error.code}: ${res.error.message}`);
    }
    if (status === null) return disallowAll("unreachable", null, "no response");
    if (status >= 200 && status < 300) {
      let body = res.body ?? Buffer.alloc(0);
      if (res.error?.code === "body_too_large") {
        // Cut at the cap: drop the last, possibly partial line rather than misread it.
        const end = Math.max(body.lastIndexOf(0x0a), body.lastIndexOf(0x0d));
        body = body.subarray(0, Math.max(0, end));
      }
      return { ...parseRobotsTxt(body, origin, opts.userAgent), status };
    }
    if (status >= 300 && status < 400) {
      const next = res.location;
      if (!next || seen.has(next) || hop + 1 > ROBOTS_MAX_REDIRECTS) return allowAll("unavailable", status);
      url = next;
      continue;
    }
    if (status === 429 || status >= 500) return disallowAll("unreachable", status, `HTTP ${status}`);
    if (status >= 400) return allowAll("unavailable", status);
    // 1xx cannot reach us; anything else unexpected is treated as a server problem.
    return disallowAll("unreachable", status, `HTTP ${status}`);
  }
}

/** robots.txt policies of one crawl, one fetch per origin (concurrent callers share the pending fetch). */
export type RobotsCache = {
  /** The policy of `origin` (`scheme://host[:port]`); fetched on first use. Never rejects. */
  get(origin: string): Promise<RobotsPolicy>;
  /** The policy when already fetched, else undefined (no fetch). */
  peek(origin: string): RobotsPolicy | undefined;
};

/**
 * Creates a per-crawl robots.txt cache. With `enabled: false` every origin gets `allowAll("disabled")` and nothing
 * is fetched. Entries live as long as the cache (one crawl), well inside RFC 9309's 24-hour limit.
 */
export function createRobotsCache(opts: { fetcher: RobotsFetcher; userAgent: string; signal?: AbortSignal; enabled?: boolean }): RobotsCache {
  const pending = new Map<string, Promise<RobotsPolicy>>();
  const done = new Map<string, RobotsPolicy>();
  return {
    get(origin) {
      let p = pending.get(origin);
      if (!p) {
        p =
          opts.enabled === false
            ? Promise.resolve(allowAll("disabled"))
            : fetchRobots(origin, { fetcher: opts.fetcher, userAgent: opts.userAgent, signal: opts.signal });
        p = p.then((policy) => (done.set(origin, policy), policy));
        pending.set(origin, p);
      }
      return p;
    },
    peek: (origin) => done.get(origin),
  };
}
