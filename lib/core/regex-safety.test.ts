import { describe, expect, it } from "vitest";
import { MAX_USER_REGEX_LENGTH, regexListErrors, regexSafetyError, warmRegexChecks } from "./regex-safety";

// The analysis is CPU work that a loaded test machine slows down: generous test timeouts, no timing assertions.
describe("regexSafetyError", () => {
  it.each(["(a+)+$", "(a|a)*$", "(\\w*x?)*$", "([a-z]{1,3})+$", "(\\w+\\s?)*$", "(x+x+)+y", "^(([a-z])+.)+[A-Z]([a-z])+$"])("refuses exponential %s", (re) => {
    expect(regexSafetyError(re, 60_000)).toMatch(/exponential time \(catastrophic backtracking/);
  }, 60_000);

  it("refuses polynomial backtracking of degree 3 and more, and names the degree", () => {
    expect(regexSafetyError("a.*b.*c", 60_000)).toMatch(/to the power 3/);
    expect(regexSafetyError(".*.*.*=.*", 60_000)).toMatch(/to the power [3-9]/);
  }, 60_000);

  it.each(["^/blog/", "\\.pdf$", "(\\w*x?)*", "([a-z]{1,3})+", "/(en|de)/", "/product/\\d+/?$", "^https?://[^/]+/(en|de|fr)/.*$", ".*\\.pdf$", "\\d+\\.\\d+", "(?<=/)foo"])(
    "accepts the ordinary pattern %s (quadratic at worst; unanchored (a+)+ matches at once)",
    (re) => {
      expect(regexSafetyError(re, 60_000)).toBeNull();
    },
    60_000,
  );

  it("reports invalid syntax and over-long patterns without analysing them", () => {
    expect(regexSafetyError("(")).toMatch(/^Invalid regular expression/);
    expect(regexSafetyError("a".repeat(MAX_USER_REGEX_LENGTH + 1))).toMatch(/longer than 1000 characters/);
    expect(regexSafetyError("a".repeat(MAX_USER_REGEX_LENGTH))).toBeNull();
  });

  it("a pattern the checker cannot settle in time is refused, saying so", () => {
    // 1 ms is not enough for any analysis with repetition that is not cached yet.
    expect(regexSafetyError("(ab|cd|ef)+[0-9]{2,5}z(gh|ij)*", 1)).toMatch(/could not be shown safe .* within 1 ms/);
  }, 60_000);
});

describe("regexListErrors", () => {
  it("one verdict per pattern, in order", () => {
    expect(regexListErrors(["^/a/", "(a+)+$", "\\.pdf$"], 120_000).map((e) => e !== null)).toEqual([false, true, false]);
  }, 60_000);

  it("once the budget is spent, unsettled patterns are refused; cached and repetition-free ones still pass", () => {
    const out = regexListErrors(["^/x/", "(q+r+)+$", "/(de|fr)/[a-z]+-[0-9]+/?$", "(a+)+$"], 0);
    expect(out[0]).toBeNull(); // no repetition: no analysis needed
    expect(out[1]).toMatch(/^Not checked: .* more than 0 ms/);
    expect(out[2]).toMatch(/^Not checked/);
    expect(out[3]).toMatch(/exponential/); // cached by the tests above
  }, 60_000);
});

describe("warmRegexChecks", () => {
  it("settles a verdict without blocking the event loop; the synchronous check then agrees", { timeout: 60_000 }, async () => {
    // Two unbounded quantifiers and a group: no fast path, the analysis runs.
    const safe = "^/tag/[^/]+/page/(\\d+)/?$";
    const unsafe = "^/x/(a|a)*$";
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await warmRegexChecks([safe, unsafe]);
    clearInterval(timer);
    // A synchronous analysis inside warmRegexChecks would leave no moment for the timer to fire.
    expect(ticks).toBeGreaterThan(0);
    expect(regexSafetyError(safe)).toBeNull();
    expect(regexSafetyError(unsafe)).toMatch(/exponential/);
  });
});
