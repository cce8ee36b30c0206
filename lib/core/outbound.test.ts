import { describe, expect, it } from "vitest";
import { allowedPortsFromEnv, parseAllowedPorts, urlPortError } from "./outbound";

describe("port policy", () => {
  it("parses CRAWL_ALLOWED_PORTS; refuses anything but ports 1-65535", () => {
    expect(parseAllowedPorts(undefined)).toEqual([]);
    expect(parseAllowedPorts(" 8080, 8443 ,")).toEqual([8080, 8443]);
    for (const bad of ["0", "65536", "80a", "-1", "8080:1"]) expect(() => parseAllowedPorts(bad)).toThrow(/CRAWL_ALLOWED_PORTS/);
    expect([...allowedPortsFromEnv({ CRAWL_ALLOWED_PORTS: "8080" })].sort()).toEqual([443, 80, 8080].sort());
  });

  it("refuses SSH, SMTP, Redis and memcached ports; allows 80, 443 and the default ports", () => {
    const env = {};
    for (const port of [22, 25, 6379, 11211]) {
      expect(urlPortError(`http://example.com:${port}/`, { env })).toMatch(new RegExp(`^Port ${port} is not allowed: .*ports 80, 443 `));
    }
    for (const url of ["http://example.com/", "https://example.com/", "http://example.com:80/x", "https://example.com:443/", "http://example.com:443/"]) {
      expect(urlPortError(url, { env })).toBeNull();
    }
  });

  it("CRAWL_ALLOWED_PORTS adds ports; an exact CRAWL_ALLOW_HOSTS host:port passes, the same host on another port does not", () => {
    expect(urlPortError("http://example.com:8080/", { env: { CRAWL_ALLOWED_PORTS: "8080" } })).toBeNull();
    const env = { CRAWL_ALLOW_HOSTS: "127.0.0.1:8081,Intranet.Local:9000" };
    expect(urlPortError("http://127.0.0.1:8081/", { env })).toBeNull();
    expect(urlPortError("http://intranet.local:9000/", { env })).toBeNull();
    expect(urlPortError("http://127.0.0.1:8082/", { env })).toMatch(/^Port 8082/);
    expect(urlPortError("http://127.0.0.1:8081/", { env: {}, allowHosts: ["127.0.0.1:8081"] })).toBeNull();
  });

  it("answers null for what is not an absolute URL (other checks report it)", () => {
    expect(urlPortError("not a url", { env: {} })).toBeNull();
  });
});
