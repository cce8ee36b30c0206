import { describe, expect, it } from "vitest";
import { diagnoseEmptyCrawl, fetchFailureCode, RUN_ERROR_CODE_LIST, RUN_ERROR_CODES, runWarnings, topReasons, warningMessage } from "./run-outcome";

describe("fetchFailureCode", () => {
  const cases: [Parameters<typeof fetchFailureCode>[0], string][] = [
    [{ code: "blocked_host", message: "Refused to connect to 10.0.0.1 (10.0.0.1): not a public unicast address" }, "blocked_by_ssrf_guard"],
    [{ code: "timeout", message: "Deadline of 15000 ms exceeded" }, "timeout"],
    [{ code: "network", message: "Error: getaddrinfo ENOTFOUND x.invalid", cause: "ENOTFOUND" }, "dns_not_found"],
    [{ code: "network", message: "Error: getaddrinfo EAI_AGAIN x.example", cause: "EAI_AGAIN" }, "dns_not_found"],
    [{ code: "network", message: "Error: connect ECONNREFUSED 127.0.0.1:9", cause: "ECONNREFUSED" }, "connection_refused"],
    [{ code: "network", message: "Error: certificate has expired", cause: "CERT_HAS_EXPIRED" }, "tls_error"],
    [{ code: "network", message: "Error: self-signed certificate", cause: "DEPTH_ZERO_SELF_SIGNED_CERT" }, "tls_error"],
    [{ code: "network", message: "ConnectTimeoutError: Connect Timeout Error", cause: "UND_ERR_CONNECT_TIMEOUT" }, "timeout"],
    [{ code: "network", message: "Error: read ECONNRESET", cause: "ECONNRESET" }, "network_error"],
    [{ code: "network", message: "SocketError: other side closed" }, "network_error"],
  ];
  for (const [err, code] of cases) it(`${err.cause ?? err.code} → ${code}`, () => expect(fetchFailureCode(err)).toBe(code));
});

describe("diagnoseEmptyCrawl", () => {
  const startUrl = "https://www.example.com/";
  it("robots.txt 503 is robots_5xx, 429 robots_unreachable; a host that does not resolve is the host's fault", () => {
    expect(diagnoseEmptyCrawl({ startUrl, robots: { outcome: "unreachable", status: 503, error: null }, excludedByReason: { robots_unavailable: 1 } }).code).toBe("robots_5xx");
    expect(diagnoseEmptyCrawl({ startUrl, robots: { outcome: "unreachable", status: 429, error: null }, excludedByReason: {} }).code).toBe("robots_unreachable");
    const dns = diagnoseEmptyCrawl({
      startUrl,
      robots: { outcome: "unreachable", status: null, error: { code: "network", message: "getaddrinfo ENOTFOUND www.example.com", cause: "ENOTFOUND" } },
      excludedByReason: { robots_unavailable: 1 },
    });
    expect(dns).toMatchObject({ code: "dns_not_found", detail: { host: "www.example.com", port: 443, url: startUrl } });
  });
  it("all_excluded with nothing met still explains itself", () => {
    const f = diagnoseEmptyCrawl({ startUrl, excludedByReason: {} });
    expect(f).toMatchObject({ code: "all_excluded", detail: { urlsExcluded: 0, topReasons: [] } });
    expect(f.hint.length).toBeGreaterThan(10);
  });
  it("every code has a non-empty hint", () => {
    for (const code of RUN_ERROR_CODE_LIST) expect(RUN_ERROR_CODES[code].hint({}).length, code).toBeGreaterThan(10);
  });
});

describe("warnings", () => {
  it("come from the exclusion counts, in table order", () => {
    expect(runWarnings({ crawl_trap: 2, max_depth: 1, max_pages: 0, noindex_meta: 4 })).toEqual(["max_depth_reached", "crawl_trap_capped"]);
    expect(runWarnings({}, ["time_budget_reached"])).toEqual(["time_budget_reached"]);
    expect(warningMessage("max_pages_reached", { max_pages: 1234 })).toMatch(/^Stopped at maxPages: 1234 URLs/);
  });
  it("topReasons: largest first, ties by name, at most 3", () => {
    expect(topReasons({ b: 2, a: 2, c: 5, d: 1, e: 0 })).toEqual([{ reason: "c", count: 5 }, { reason: "a", count: 2 }, { reason: "b", count: 2 }]);
  });
});
