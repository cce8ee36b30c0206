import { describe, expect, it } from "vitest";
import type { SitemapEntry } from "@/lib/core/types";
import { checkHreflangReciprocity, HREFLANG_CODE_LISTS, HreflangCollector, normaliseHreflang } from "./hreflang";

const U = (p: string) => `https://example.com${p}`;
const alt = (hreflang: string, path: string) => ({ hreflang, href: U(path) });

describe("normaliseHreflang", () => {
  it("accepts ISO 639-1 [+ script] [+ ISO 3166-1 alpha-2] and x-default, in canonical case", () => {
    expect(normaliseHreflang("en")).toBe("en");
    expect(normaliseHreflang("EN-gb")).toBe("en-GB");
    expect(normaliseHreflang(" de-AT ")).toBe("de-AT");
    expect(normaliseHreflang("zh-hant")).toBe("zh-Hant");
    expect(normaliseHreflang("ZH-HANT-tw")).toBe("zh-Hant-TW");
    expect(normaliseHreflang("sr-Latn")).toBe("sr-Latn");
    expect(normaliseHreflang("X-Default")).toBe("x-default");
  });

  it("refuses codes Google does not accept: unknown language/region, UK, 419, underscores, 3-letter, junk", () => {
    for (const bad of [
      "en-UK", // the classic mistake: the ISO code is GB
      "es-419", // UN M.49, not ISO 3166-1 alpha-2
      "en_US",
      "eng",
      "xx",
      "en-XX",
      "iw", // deprecated code for Hebrew
      "en-GB-oxendict",
      "",
      "x-default-en",
      "en-",
      "-GB",
      "GB",
      "<script>",
      "en\u0000",
    ]) {
      expect(normaliseHreflang(bad), bad).toBeNull();
    }
    expect(normaliseHreflang(undefined)).toBeNull();
    expect(normaliseHreflang(42)).toBeNull();
  });

  it("knows the full ISO lists (183 languages, 249 regions)", () => {
    expect(HREFLANG_CODE_LISTS.languages.size).toBe(183);
    expect(HREFLANG_CODE_LISTS.regions.size).toBe(249);
  });
});

describe("HreflangCollector.add", () => {
  it("normalises, dedupes, sorts by code and keeps one URL per code (the page itself wins a conflict)", () => {
    const c = new HreflangCollector();
    const cluster = c.add(U("/en/"), [
      alt("fr", "/fr/"),
      alt("EN", "/en/"),
      alt("fr", "/fr/"), // exact duplicate: silent
      alt("de", "/de/"),
      alt("de", "/de-other/"), // conflict: first kept
      alt("en", "/elsewhere/"), // conflict with self: self kept
      alt("x-default", "/en/"),
      alt("en-UK", "/uk/"), // invalid code
      { hreflang: "it", href: "javascript:alert(1)" }, // invalid href
      { hreflang: "es", href: "/relative" }, // invalid href
    ]);
    expect(cluster).toEqual([
      { code: "de", href: U("/de/") },
      { code: "en", href: U("/en/") },
      { code: "fr", href: U("/fr/") },
      { code: "x-default", href: U("/en/") },
    ]);
    const r = c.report();
    expect(r.counts).toMatchObject({ invalid_code: 1, invalid_href: 2, conflicting_codes: 2, missing_self: 0 });
    expect(r.problems.find((p) => p.kind === "invalid_code")?.details).toContain('"en-UK"');
  });

  it("IRI-encodes hrefs like <loc>", () => {
    const c = new HreflangCollector();
    const cluster = c.add(U("/ru/"), [alt("ru", "/ru/"), { hreflang: "uk", href: "https://example.com/укр/?a=1&b='2'" }]);
    expect(cluster[1]).toEqual({ code: "uk", href: "https://example.com/%D1%83%D0%BA%D1%80/?a=1&b=%272%27" });
  });

  it("adds the self-reference under the code earlier pages gave the page, and reports missing_self either way", () => {
    const c = new HreflangCollector();
    c.add(U("/a/en"), [alt("en", "/a/en"), alt("fr", "/a/fr")]);
    // /a/fr forgets itself: the earlier page named it "fr", so the sitemap adds it.
    expect(c.add(U("/a/fr"), [alt("en", "/a/en")])).toEqual([
      { code: "en", href: U("/a/en") },
      { code: "fr", href: U("/a/fr") },
    ]);
    // /b/de forgets itself and nobody named it yet: nothing to add.
    expect(c.add(U("/b/de"), [alt("en", "/b/en")])).toEqual([{ code: "en", href: U("/b/en") }]);
    const r = c.report();
    const selfProblems = r.problems.filter((p) => p.kind === "missing_self");
    expect(selfProblems.map((p) => [p.url, p.details.startsWith('The page does not list itself; added as "fr"')])).toEqual([
      [U("/a/fr"), true],
      [U("/b/de"), false],
    ]);
  });

  it("returns [] for no, empty or all-invalid alternates", () => {
    const c = new HreflangCollector();
    expect(c.add(U("/"), undefined)).toEqual([]);
    expect(c.add(U("/"), [])).toEqual([]);
    expect(c.add(U("/x"), [alt("zz", "/x")])).toEqual([]);
    expect(c.report().pagesWithAlternates).toBe(1);
  });
});

describe("checkHreflangReciprocity", () => {
  it("finds no problem in a complete reciprocal cluster", () => {
    const cluster = [alt("en", "/en/"), alt("de", "/de/"), alt("fr-CA", "/fr-ca/"), alt("x-default", "/en/")];
    const entries: SitemapEntry[] = ["/de/", "/en/", "/fr-ca/"].map((p) => ({ loc: U(p), alternates: cluster }));
    const r = checkHreflangReciprocity(entries);
    expect(r).toMatchObject({ pagesWithAlternates: 3, alternatesWritten: 12, problemCount: 0, problems: [], truncated: false });
  });

  it("reports missing return links (page lists B, B does not list it; or B is not in the sitemap), in any input order", () => {
    const entries: SitemapEntry[] = [
      { loc: U("/en/"), alternates: [alt("en", "/en/"), alt("de", "/de/"), alt("fr", "/fr/"), alt("es", "/es/")] },
      { loc: U("/de/"), alternates: [alt("de", "/de/"), alt("en", "/en/")] }, // misses fr: fr lists de
      { loc: U("/fr/"), alternates: [alt("fr", "/fr/"), alt("de", "/de/")] }, // misses en
      { loc: U("/es/") }, // in the sitemap, but no annotations at all
      { loc: U("/it/"), alternates: [alt("it", "/it/"), alt("en", "/en/"), { hreflang: "pt", href: "https://example.pt/" }] },
    ];
    for (const order of [entries, [...entries].reverse()]) {
      const r = checkHreflangReciprocity(order);
      const missing = r.problems
        .filter((p) => p.kind === "missing_return_link")
        .map((p) => `${p.url.slice(19)} -> ${/Lists (\S+)/.exec(p.details)?.[1].slice(19)}`);
      expect(missing).toEqual(["/en/ -> /es/", "/en/ -> /fr/", "/fr/ -> /de/", "/it/ -> /en/"]);
      // another origin (example.pt) cannot be checked, so it is not reported
      expect(r.problems.some((p) => p.details.includes("example.pt"))).toBe(false);
      expect(r.counts.missing_return_link).toBe(4);
    }
  });

  it("reports a code the target does not use for itself as conflicting_codes", () => {
    const r = checkHreflangReciprocity([
      { loc: U("/a"), alternates: [alt("en", "/a"), alt("de", "/b")] },
      { loc: U("/b"), alternates: [alt("de-AT", "/b"), alt("en", "/a")] },
    ]);
    expect(r.problems).toEqual([
      {
        url: U("/a"),
        kind: "conflicting_codes",
        details: `Lists ${U("/b")} as "de", but that page lists itself as "de-AT".`,
      },
    ]);
  });

  it("caps listed problems per kind but keeps complete counts; output is sorted and deterministic", () => {
    const entries: SitemapEntry[] = Array.from({ length: 30 }, (_, i) => ({
      loc: U(`/p${String(i).padStart(2, "0")}`),
      alternates: [alt("en", `/p${String(i).padStart(2, "0")}`), alt("de", `/missing${i}`), alt("zz", "/x")],
    }));
    const r = checkHreflangReciprocity(entries, { maxProblemsPerKind: 5 });
    expect(r.counts.missing_return_link).toBe(30);
    expect(r.counts.invalid_code).toBe(30);
    expect(r.problemCount).toBe(60);
    expect(r.problems).toHaveLength(10);
    expect(r.truncated).toBe(true);
    const urls = r.problems.map((p) => p.url);
    expect(urls).toEqual([...urls].sort());
    expect(checkHreflangReciprocity(entries, { maxProblemsPerKind: 5 })).toEqual(r);
  });

  it("handles thousands of pages (every page in a 5-language cluster)", () => {
    const langs = ["en", "de", "fr", "es", "it"];
    const entries: SitemapEntry[] = [];
    for (let i = 0; i < 4_000; i++) {
      for (const l of langs) {
        entries.push({ loc: U(`/${l}/page-${i}`), alternates: langs.map((x) => alt(x, `/${x}/page-${i}`)) });
      }
    }
    entries.sort((a, b) => (a.loc < b.loc ? -1 : 1));
    // break one return link
    const broken = entries.findIndex((e) => e.loc === U("/fr/page-7"));
    entries[broken] = { ...entries[broken], alternates: entries[broken].alternates!.filter((a) => a.hreflang !== "it") };
    const r = checkHreflangReciprocity(entries);
    expect(r.pagesWithAlternates).toBe(20_000);
    expect(r.problems).toEqual([
      {
        url: U("/it/page-7"),
        kind: "missing_return_link",
        details: `Lists ${U("/fr/page-7")} as "fr", but that page does not list this one.`,
      },
    ]);
  });
});
