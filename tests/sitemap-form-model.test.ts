/**
 * The sitemap form's model (components/sitemap-form/model.ts): the form schema checks inputs through the API's
 * field schemas, and toBody builds a body ZCreateSitemapBody accepts.
 */
import { describe, expect, it } from "vitest";
import { DEFAULTS, ZSitemapForm, inputFor, toBody, type Values } from "@/components/sitemap-form/model";
import { ZCreateSitemapBody } from "@/lib/schemas/sitemaps";

const valid: Values = { ...DEFAULTS, name: "Manual", startUrl: "https://example.com/docs/", fileName: "Manual.xml" };

/** The form schema's messages by field (first one each, as react-hook-form shows them). */
function errorsOf(v: Values): Record<string, string> {
  const r = ZSitemapForm.safeParse(v);
  const out: Record<string, string> = {};
  for (const issue of r.error?.issues ?? []) out[String(issue.path[0])] ??= issue.message;
  return out;
}

describe("sitemap form schema", () => {
  it("accepts valid values, and toBody's result passes the API schema", () => {
    expect(errorsOf(valid)).toEqual({});
    const body = toBody(valid);
    expect(body.fileName).toBe("manual");
    expect(body.maxFileSize).toBe(50 * 1024 * 1024);
    expect(body).not.toHaveProperty("auth");
    expect(ZCreateSitemapBody.safeParse(body).success).toBe(true);
  });

  it("flags the basics", () => {
    expect(errorsOf(DEFAULTS)).toEqual({
      name: "Give the sitemap a name.",
      startUrl: "Enter a full URL, such as https://example.com/.",
      fileName: "Lower-case letters, digits, '.', '-' and '_', starting with a letter or digit (at most 100).",
    });
  });

  it("takes number bounds from the API schemas", () => {
    expect(errorsOf({ ...valid, maxPages: "0", concurrency: "33", maxUrlLength: "2048", maxFileEntries: "50001" })).toEqual({
      maxPages: "A whole number from 1 to 1,000,000.",
      concurrency: "A whole number from 1 to 32.",
      maxUrlLength: "A whole number from 64 to 2,047.",
      maxFileEntries: "A whole number from 1 to 50,000.",
    });
    expect(errorsOf({ ...valid, maxDepth: "2.5" })).toEqual({ maxDepth: "A whole number from 0 to 100." });
    expect(errorsOf({ ...valid, maxFileSizeMiB: "51" })).toEqual({ maxFileSizeMiB: "From 0.004 (4 KiB) to 50 MiB (the sitemaps.org limit)." });
    expect(errorsOf({ ...valid, priorityMode: "fixed", defaultPriority: "1.5" })).toEqual({ defaultPriority: "A number from 0.0 to 1.0." });
    // Blank number inputs leave the field out of the body (the API default applies).
    expect(errorsOf({ ...valid, maxPages: "" })).toEqual({});
    expect(toBody({ ...valid, maxPages: "" }).crawl?.maxPages).toBeUndefined();
  });

  it("checks rules, query allow-list, news and image hosts", () => {
    expect(errorsOf({ ...valid, rules: [{ action: "exclude", syntax: "glob", pattern: " " }] })).toEqual({ rules: "Rule 1: enter a pattern (or remove the rule)." });
    expect(errorsOf({ ...valid, queryPolicy: "allowlist", queryAllowlist: " , " })).toEqual({ queryAllowlist: "Name at least one parameter to keep, or pick another policy." });
    expect(errorsOf({ ...valid, news: true })).toEqual({
      newsPublicationName: "News sitemaps need the publication name.",
      newsLanguage: "News sitemaps need the publication language (en, de, …).",
    });
    expect(Object.keys(errorsOf({ ...valid, news: true, newsPublicationName: "Times", newsLanguage: "english" }))).toEqual(["newsLanguage"]);
    expect(Object.keys(errorsOf({ ...valid, imageHosts: "cdn.example.com, bad_host!" }))).toEqual(["imageHosts"]);
  });

  it("checks staging credentials with ZAuthInput", () => {
    expect(errorsOf({ ...valid, basicPassword: "secret" })).toEqual({ basicUser: "Enter the user name for basic auth." });
    expect(errorsOf({ ...valid, headers: "no separator" })).toEqual({ headers: "Line 1: write Name: value." });
    expect(errorsOf({ ...valid, headers: "Host: example.org" })).toEqual({
      headers: "This header is set by the crawler (use basicAuth / cookies for Authorization / Cookie).",
    });
    const body = toBody({ ...valid, basicUser: "u", basicPassword: "p", cookies: "session=abc" });
    expect(body.auth).toEqual({ basicAuth: { username: "u", password: "p" }, cookies: { session: "abc" } });
    expect(toBody({ ...valid, clearAuth: true }).auth).toBeNull();
  });

  it("publish guard: a percentage 0..100 sent as a fraction, or null when off", () => {
    expect(toBody(valid).publishGuard).toBe(0.3);
    expect(toBody({ ...valid, publishGuardPct: "50" }).publishGuard).toBe(0.5);
    expect(toBody({ ...valid, publishGuardOn: false, publishGuardPct: "" }).publishGuard).toBeNull();
    expect(errorsOf({ ...valid, publishGuardPct: "120" })).toEqual({ publishGuardPct: "A percentage from 0 to 100." });
    expect(errorsOf({ ...valid, publishGuardPct: "" })).toEqual({ publishGuardPct: "A percentage from 0 to 100." });
    expect(errorsOf({ ...valid, publishGuardOn: false, publishGuardPct: "abc" })).toEqual({});
    expect(inputFor("publishGuard")).toBe("publishGuardPct");
  });

  it("maps API error fields to inputs", () => {
    expect(inputFor("crawl.rules.2.pattern")).toBe("rules");
    expect(inputFor("maxFileSize")).toBe("maxFileSizeMiB");
    expect(inputFor("crawl.maxPages")).toBe("maxPages");
    expect(inputFor("auth.headers.X-Test")).toBe("headers");
    expect(inputFor("auth.basicAuth.username")).toBe("basicUser");
    expect(inputFor("options.exportCharset")).toBe("exportCharset");
    expect(inputFor("subScopes.0.key")).toBeNull();
  });
});
