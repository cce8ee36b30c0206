import { describe, expect, it } from "vitest";
import { listingDecision, replayDecision } from "./listing";

const strict = { excludeNoindex: true, respectCanonical: true };
const relaxed = { excludeNoindex: false, respectCanonical: false };
const none = { crawlOnly: false, noindexHeader: false, noindexMeta: false, canonical: null };
const url = "https://example.com/a";

describe("listingDecision", () => {
  it("first hit wins: crawl_only, then noindex header, meta, canonical elsewhere", () => {
    const all = { crawlOnly: true, noindexHeader: true, noindexMeta: true, canonical: "https://example.com/b" };
    expect(listingDecision(url, all, strict)).toEqual({ included: false, reason: "excluded_by_rule" });
    expect(listingDecision(url, { ...all, crawlOnly: false }, strict)).toEqual({ included: false, reason: "noindex_header" });
    expect(listingDecision(url, { ...all, crawlOnly: false, noindexHeader: false }, strict)).toEqual({ included: false, reason: "noindex_meta" });
    expect(listingDecision(url, { ...none, canonical: "https://example.com/b" }, strict)).toEqual({
      included: false,
      reason: "canonical_elsewhere",
      target: "https://example.com/b",
    });
    expect(listingDecision(url, { ...none, canonical: url }, strict)).toEqual({ included: true, reason: null });
  });
  it("excludeNoindex: false and respectCanonical: false list such pages; crawl_only still leaves out", () => {
    expect(listingDecision(url, { ...none, noindexHeader: true, noindexMeta: true, canonical: "https://example.com/b" }, relaxed)).toEqual({
      included: true,
      reason: null,
    });
    expect(listingDecision(url, { ...none, crawlOnly: true }, relaxed)).toEqual({ included: false, reason: "excluded_by_rule" });
  });
});

describe("replayDecision", () => {
  it("applies today's settings to a snapshot's reason", () => {
    expect(replayDecision(url, { included: false, reason: "noindex_meta" }, false, relaxed)).toEqual({ included: true, reason: null, target: null });
    expect(replayDecision(url, { included: false, reason: "noindex_meta" }, false, strict)).toEqual({ included: false, reason: "noindex_meta", target: null });
    expect(replayDecision(url, { included: false, reason: "canonical_elsewhere", target: "https://example.com/b" }, false, strict)).toEqual({
      included: false,
      reason: "canonical_elsewhere",
      target: "https://example.com/b",
    });
    expect(replayDecision(url, { included: false, reason: "canonical_elsewhere" }, false, strict)).toEqual({
      included: false,
      reason: "canonical_elsewhere",
      target: null,
    });
  });
  it("a rule now crawl_only leaves a listed snapshot out; a snapshot left out by a rule stays out", () => {
    expect(replayDecision(url, { included: true, reason: null }, true, strict)).toEqual({ included: false, reason: "excluded_by_rule", target: null });
    expect(replayDecision(url, { included: false, reason: "excluded_by_rule" }, false, relaxed)).toEqual({
      included: false,
      reason: "excluded_by_rule",
      target: null,
    });
  });
});
