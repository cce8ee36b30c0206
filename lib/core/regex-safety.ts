/**
 * Is a user's regular expression safe to run on every URL of a crawl? JavaScript regexes backtrack and cannot be
 * interrupted, so one pattern such as `(a+)+$` on a URL like `/aaaa…a!` would hold the server's event loop for
 * minutes. Every user regex (crawl rules, feed link masks, the CLI's `--rule`) is checked here at input, and stored
 * ones again before they run.
 *
 * The check is recheck (https://makenowjust-labs.github.io/recheck/): an automaton-based ReDoS analysis of the
 * pattern with the JavaScript RegExp semantics, falling back to guided fuzzing for patterns with huge automata. It
 * finds exponential backtracking (`(a+)+$`, `(a|a)*$`, `(\w+\s?)*$`) and polynomial backtracking with its degree.
 * Policy:
 * - exponential → refused;
 * - polynomial of degree ≥ 3 (e.g. `a.*b.*c`) → refused: on a 2,048-character URL that is ≥ 8·10⁹ steps;
 * - polynomial of degree 2 (e.g. `.*\.pdf$`, `\d+\.\d+`) → accepted: URLs are at most 2,048 characters, so the worst
 *   case is ~4·10⁶ steps (milliseconds) per URL, and such patterns are everyday rules;
 * - a pattern the checker cannot settle within {@link REGEX_CHECK_TIMEOUT_MS}, or whose syntax it does not support,
 *   → refused (it could not be shown safe);
 * - longer than {@link MAX_USER_REGEX_LENGTH} characters → refused before analysis (the analysis grows with the
 *   pattern's size).
 * Fast path without analysis: a pattern with at most one unbounded quantifier (`*`, `+`, `{n,}`), applied to a
 * single character, class or escape (never to a group), and no backreference, is at worst quadratic (one search
 * start × one greedy run), so it is accepted as is: `^/blog/`, `\.pdf$`, `.*\.pdf$`, `/product/\d+/?$`. Verdicts
 * of the analysis are cached per pattern source (the last {@link CACHE_SIZE}), so re-sending the same settings costs
 * nothing. The analysis takes 2–100 ms for most patterns, up to seconds for patterns with negated classes such as
 * `[^/]+` on a loaded machine (bench/regex-check.ts; docs/crawler.md §4). So that the server's event loop never waits
 * for it, request bodies and crawls first call {@link warmRegexChecks} (asynchronous analysis, verdicts cached);
 * the synchronous {@link regexSafetyError} then answers from the cache. Both are bounded by the per-pattern timeout (env REGEX_CHECK_TIMEOUT_MS, default {@link REGEX_CHECK_TIMEOUT_MS}) and by a per-list budget
 * of twice that in {@link regexListErrors}.
 *
 * recheck is loaded lazily through Node's own `require` (not a static import), so a browser bundle of the zod
 * schemas never contains it: where Node is absent the check answers null ("not checked here") and the server's
 * check decides. Its `checkSync` hands the pattern to a worker thread that runs recheck's native `agent` binary (the
 * optional dependency recheck-linux-x64; without it, the JavaScript build): the native analysis was 5–30× faster
 * than the JavaScript one in-thread here (bench/regex-check.ts). The first check of a process starts both (seconds
 * on a loaded machine). Plain code without Next imports; usable from a worker thread.
 */
import type { Diagnostics } from "recheck";

/** Longest user regex accepted, characters. */
export const MAX_USER_REGEX_LENGTH = 1000;
/** Default time the analysis may take for one pattern, ms (env REGEX_CHECK_TIMEOUT_MS overrides it). */
export const REGEX_CHECK_TIMEOUT_MS = 5000;

/** The per-pattern timeout in force: env REGEX_CHECK_TIMEOUT_MS (a positive integer, ms) or the default. */
export function regexCheckTimeoutMs(env: Record<string, string | undefined> | undefined = globalThis.process?.env): number {
  const v = Number(env?.REGEX_CHECK_TIMEOUT_MS);
  return Number.isInteger(v) && v > 0 ? v : REGEX_CHECK_TIMEOUT_MS;
}
const CACHE_SIZE = 1000;

type Params = { timeout: number; randomSeed: number };
type Recheck = { checkSync: (source: string, flags: string, params: Params) => Diagnostics; check: (source: string, flags: string, params: Params) => Promise<Diagnostics> };
let recheck: Recheck | null | undefined;

function loadRecheck(): Recheck | null {
  if (recheck !== undefined) return recheck;
  const mod = typeof process !== "undefined" ? process.getBuiltinModule?.("node:module") : undefined;
  if (!mod) return (recheck = null);
  const req = mod.createRequire(`${process.cwd()}/package.json`);
  return (recheck = req("recheck") as Recheck);
}

/** How long a "could not settle in time" verdict is kept, ms: a busy machine may settle the pattern later. */
const TIMEOUT_VERDICT_MS = 60_000;
const cache = new Map<string, { verdict: string | null; until: number }>();

function remember(source: string, verdict: string | null, keepMs = Infinity): string | null {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(source, { verdict, until: Date.now() + keepMs });
  return verdict;
}

function cached(source: string): string | null | undefined {
  const hit = cache.get(source);
  if (!hit) return undefined;
  if (hit.until < Date.now()) {
    cache.delete(source);
    return undefined;
  }
  return hit.verdict;
}

/** Short printable form of an attack string for messages. */
const sample = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** The verdict without analysis (too long, invalid, no repetition, cached), or undefined when analysis is needed. */
function quickVerdict(source: string): string | null | undefined {
  if (source.length > MAX_USER_REGEX_LENGTH) return `The regular expression is longer than ${MAX_USER_REGEX_LENGTH} characters.`;
  try {
    new RegExp(source);
  } catch (e) {
    return `Invalid regular expression: ${(e as Error).message}`;
  }
  if (atMostQuadratic(source)) return null;
  return cached(source);
}

/**
 * True when `source` has no backreference, no quantified group and at most one unbounded quantifier (see the module
 * doc): a syntactic scan that skips escapes and character classes.
 */
function atMostQuadratic(source: string): boolean {
  if (/\\(?:[1-9]|k<)/.test(source)) return false;
  let unbounded = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      continue;
    }
    const prev = source[i - 1];
    if (c === "*" || c === "+" || c === "{" || (c === "?" && prev !== "(")) {
      // A quantifier right after a group: ambiguity inside it can multiply (e.g. (a|a)*, (a|b?){30}).
      if (prev === ")") return false;
      if (c === "*" || c === "+") {
        // `*?`/`+?` (lazy) and `++` are the same quantifier; count each once.
        unbounded++;
      } else if (c === "{") {
        const m = /^\{\d+(,\d*)?\}/.exec(source.slice(i));
        if (m && m[1] === ",") unbounded++;
      }
    }
  }
  return unbounded <= 1;
}

/**
 * Why `source` (a JavaScript RegExp source, no flags) must not run on URLs, or null when it is safe (or when the
 * check cannot run here: no Node). The message is a sentence for an API error, e.g. "The regular expression can
 * take exponential time (catastrophic backtracking, e.g. on "aaaa…!"); avoid nested or overlapping repetition
 * such as (a+)+ or (a|a)*, or use a glob." Invalid syntax is reported too ("Invalid regular expression: …").
 * @param timeoutMs at most this long for the analysis (default {@link regexCheckTimeoutMs}).
 */
export function regexSafetyError(source: string, timeoutMs = regexCheckTimeoutMs()): string | null {
  const quick = quickVerdict(source);
  if (quick !== undefined) return quick;
  const rc = loadRecheck();
  if (!rc) return null;
  return verdictOf(source, rc.checkSync(source, "", { timeout: timeoutMs, randomSeed: 0 }), timeoutMs);
}

/**
 * Settles the verdicts of `sources` without blocking the event loop (recheck's asynchronous `check`, which talks to
 * its analysis process), one after the other within `budgetMs`, and caches them, so the synchronous checks of the
 * schemas and the crawl that follow answer from the cache. Call it before validating a request body or starting a
 * crawl; patterns it could not reach in the budget are left to the synchronous check. Never throws.
 */
export async function warmRegexChecks(sources: readonly string[], budgetMs = 2 * regexCheckTimeoutMs()): Promise<void> {
  const rc = loadRecheck();
  if (!rc) return;
  const deadline = Date.now() + budgetMs;
  for (const source of new Set(sources)) {
    if (quickVerdict(source) !== undefined) continue;
    const left = Math.min(regexCheckTimeoutMs(), deadline - Date.now());
    if (left < 1) return;
    try {
      verdictOf(source, await rc.check(source, "", { timeout: left, randomSeed: 0 }), left);
    } catch {
      return; // the synchronous check decides
    }
  }
}

/** The verdict of recheck's diagnostics `d` for `source` (module doc's policy), cached. */
function verdictOf(source: string, d: Diagnostics, timeoutMs: number): string | null {
  if (d.status === "safe") return remember(source, null);
  if (d.status === "vulnerable") {
    const on = d.attack?.string ? `, e.g. on ${sample(d.attack.string)}` : "";
    if (d.complexity.type === "exponential") {
      return remember(
        source,
        `The regular expression can take exponential time (catastrophic backtracking${on}); avoid nested or overlapping repetition such as (a+)+ or (a|a)*, or use a glob.`,
      );
    }
    if (d.complexity.degree >= 3) {
      return remember(
        source,
        `The regular expression can take time growing with the URL length to the power ${d.complexity.degree} (backtracking${on}); use fewer unbounded repetitions such as .* in a row, or a glob.`,
      );
    }
    return remember(source, null);
  }
  if (d.error.kind === "timeout") {
    // Kept briefly only: a busy machine may settle it next time.
    return remember(
      source,
      `The regular expression could not be shown safe from catastrophic backtracking within ${timeoutMs} ms; simplify it or use a glob.`,
      TIMEOUT_VERDICT_MS,
    );
  }
  if (d.error.kind === "invalid") return remember(source, `Invalid regular expression: ${d.error.message}`);
  if (d.error.kind === "unsupported") {
    return remember(source, `The regular expression uses a feature the backtracking check does not support (${d.error.message}); simplify it or use a glob.`);
  }
  return `The regular expression could not be checked for catastrophic backtracking (${d.error.kind}); simplify it or use a glob.`;
}

/**
 * Checks several patterns within one time budget (default twice the per-pattern timeout): each gets at most the
 * rest of `budgetMs` (and at most the per-pattern timeout); once the budget is spent, the patterns not yet settled
 * (not fast-path, not cached) are refused with a message saying so. Returns one entry per input: the reason, or null
 * when safe.
 */
export function regexListErrors(sources: readonly string[], budgetMs = 2 * regexCheckTimeoutMs()): (string | null)[] {
  const deadline = Date.now() + budgetMs;
  const perPattern = regexCheckTimeoutMs();
  return sources.map((source) => {
    const left = deadline - Date.now();
    if (left >= 1) return regexSafetyError(source, Math.min(perPattern, left));
    const quick = quickVerdict(source);
    if (quick !== undefined) return quick;
    return `Not checked: the regular expressions of this list took more than ${budgetMs} ms to check together; use fewer or simpler ones, or globs.`;
  });
}
