/**
 * robots.txt path patterns (RFC 9309 §2.2.3), shared by robots.ts and the sitemap's glob rules (rules.ts).
 *
 * Syntax: `*` matches any run of characters (possibly empty), a `$` at the very end anchors the pattern to the end
 * of the path, every other character (including a `$` elsewhere) is literal, and a pattern matches a prefix of the
 * path. Case-sensitive, byte-for-byte on the strings given (callers normalise percent-encoding first).
 *
 * Matching is google/robotstxt's position-set algorithm: O(path × pattern) in the worst case, with no
 * backtracking, so a hostile pattern such as `/*a*a*a*a*a*b` cannot stall the crawler (a RegExp with many `.*`
 * backtracks polynomially). Patterns without `*` or `$` are a plain `startsWith`.
 */

/** A compiled pattern: true when it matches `path` (a path + query string starting with "/", or a full URL). */
export type PatternMatcher = (path: string) => boolean;

/** Compiles `pattern` (see module doc). Never throws; the empty pattern matches everything. */
export function compilePattern(pattern: string): PatternMatcher {
  const anchored = pattern.endsWith("$");
  const body = anchored ? pattern.slice(0, -1) : pattern;
  if (!body.includes("*")) {
    return anchored ? (path) => path === body : (path) => path.startsWith(body);
  }
  return (path) => matchWildcard(path, body, anchored);
}

/**
 * google/robotstxt `Matches()`: keeps the set of path positions reachable after each pattern character.
 * `pos` holds the positions in increasing order; `*` expands the set to every position from the smallest one on.
 */
function matchWildcard(path: string, pattern: string, anchored: boolean): boolean {
  const n = path.length;
  const pos = new Int32Array(n + 1);
  pos[0] = 0;
  let count = 1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 42 /* * */) {
      const first = pos[0];
      count = n - first + 1;
      for (let k = 0; k < count; k++) pos[k] = first + k;
    } else {
      let next = 0;
      for (let k = 0; k < count; k++) {
        const p = pos[k];
        if (p < n && path.charCodeAt(p) === c) pos[next++] = p + 1;
      }
      count = next;
      if (count === 0) return false;
    }
  }
  return anchored ? pos[count - 1] === n : true;
}
