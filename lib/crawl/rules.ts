/**
 * A sitemap's URL rules (lib/core/types.ts CrawlRule): four actions × glob or regex, first match wins, no match =
 * "crawl_list". What each action does is documented on RuleAction; the crawler applies it (crawler.ts).
 *
 * Glob = robots.txt pattern syntax (lib/crawl/pattern.ts): matched against the path + query ("/blog/?page=2")
 * when it starts with "/" or "*", against the whole URL when it starts with "http://" or "https://"; prefix
 * match, `*` = any run of characters, final `$` = end. Matching is linear, so a glob can never stall a crawl.
 * Regex = JavaScript RegExp source without flags, searched anywhere in the whole normalised URL. A regex is the
 * user's own code: it is length-limited ({@link MAX_RULE_PATTERN_LENGTH}) and must pass the catastrophic-backtracking
 * check of lib/core/regex-safety.ts (exponential or cubic-and-worse patterns such as `(a+)+$` are refused), here and
 * at input, so a rule stored before that check existed is refused too before the crawl starts.
 *
 * Errors: `compileRules` throws TypeError for a rule that {@link ruleError} rejects (the API validates first).
 */
import type { CrawlRule, RuleAction } from "@/lib/core/types";
import { RULE_ACTIONS } from "@/lib/core/types";
import { regexSafetyError } from "@/lib/core/regex-safety";
import { compilePattern } from "./pattern";

/** Longest pattern accepted, characters. */
export const MAX_RULE_PATTERN_LENGTH = 1000;
/** Most rules per sitemap. */
export const MAX_RULES = 200;

/** Why `rule` is unusable, or null when it is fine. */
export function ruleError(rule: CrawlRule): string | null {
  if (!(RULE_ACTIONS as readonly string[]).includes(rule.action)) return `Unknown action "${rule.action}"`;
  if (typeof rule.pattern !== "string" || rule.pattern.length === 0) return "The pattern is empty";
  if (rule.pattern.length > MAX_RULE_PATTERN_LENGTH) return `The pattern is longer than ${MAX_RULE_PATTERN_LENGTH} characters`;
  if (rule.syntax === "glob") {
    if (!/^(\/|\*|https?:\/\/)/i.test(rule.pattern)) return 'A glob starts with "/", "*", "http://" or "https://"';
    return null;
  }
  if (rule.syntax === "regex") return regexSafetyError(rule.pattern);
  return `Unknown syntax "${String(rule.syntax)}"`;
}

/**
 * The first unusable rule of a list, as a sentence naming it ("Rule 3 (regex \"(a+)+$\") cannot run: …"), or null
 * when every rule is fine. Used before a crawl starts, so settings stored before a check existed fail the run with a
 * clear reason instead of running.
 */
export function rulesError(rules: readonly CrawlRule[] | null | undefined): string | null {
  for (const [i, rule] of (rules ?? []).entries()) {
    const err = ruleError(rule);
    if (err) return `Rule ${i + 1} (${rule.syntax} ${JSON.stringify(rule.pattern)}) cannot run: ${err.replace(/\.?$/, ".")} Edit the sitemap's rules.`;
  }
  return null;
}

/**
 * Decides the action for a URL. `url` is absolute and normalised; `pathStart` is the index of its path's "/"
 * (the length of its origin), so globs need not parse the URL again.
 */
export type RuleMatcher = (url: string, pathStart: number) => RuleAction;

/** Compiles rules in order; null when there are none (the crawler then skips rule evaluation entirely). */
export function compileRules(rules: readonly CrawlRule[] | null | undefined): RuleMatcher | null {
  if (!rules || rules.length === 0) return null;
  const compiled = rules.map((rule) => {
    const err = ruleError(rule);
    if (err) throw new TypeError(`Invalid rule ${JSON.stringify(rule.pattern)}: ${err}`);
    if (rule.syntax === "regex") {
      const re = new RegExp(rule.pattern);
      return { action: rule.action, test: (url: string) => re.test(url) };
    }
    const matches = compilePattern(rule.pattern);
    const whole = /^https?:\/\//i.test(rule.pattern);
    return { action: rule.action, test: whole ? matches : (url: string, pathStart: number) => matches(url.slice(pathStart)) };
  });
  return (url, pathStart) => {
    for (const r of compiled) if (r.test(url, pathStart)) return r.action;
    return "crawl_list";
  };
}
