import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { addressBucket, clientIp, installSocketAddressHeader, normalizeIp, SOCKET_ADDRESS_HEADER } from "./client-ip";

const r = (headers: Record<string, string>) => new Request("http://x/", { headers });

describe("clientIp", () => {
  it("without TRUST_PROXY: the socket address only; forwarding headers are ignored; unknown without one", () => {
    expect(clientIp(r({ [SOCKET_ADDRESS_HEADER]: "::ffff:203.0.113.9", "x-forwarded-for": "1.2.3.4", "x-real-ip": "5.6.7.8" }), undefined)).toBe(
      "203.0.113.9",
    );
    expect(clientIp(r({ "x-forwarded-for": "1.2.3.4" }), undefined)).toBe("unknown");
  });

  it("x-forwarded-for with N hops: the N-th from the right, the leftmost when shorter; else the socket", () => {
    const xff = (v: string, hops: number) =>
      clientIp(r({ [SOCKET_ADDRESS_HEADER]: "10.0.0.1", "x-forwarded-for": v }), { header: "x-forwarded-for", hops });
    expect(xff("6.6.6.6, 1.2.3.4", 1)).toBe("1.2.3.4");
    expect(xff("6.6.6.6, 1.2.3.4, 10.0.0.2", 2)).toBe("1.2.3.4");
    expect(xff("1.2.3.4", 3)).toBe("1.2.3.4");
    expect(xff("6.6.6.6, not-an-ip", 1)).toBe("10.0.0.1");
    expect(clientIp(r({ [SOCKET_ADDRESS_HEADER]: "10.0.0.1" }), { header: "x-forwarded-for", hops: 1 })).toBe("10.0.0.1");
  });

  it("another header: its whole value", () => {
    const tp = { header: "x-real-ip", hops: 0 };
    expect(clientIp(r({ [SOCKET_ADDRESS_HEADER]: "10.0.0.1", "x-real-ip": " [2001:db8::1] " }), tp)).toBe("2001:db8::1");
    expect(clientIp(r({ [SOCKET_ADDRESS_HEADER]: "10.0.0.1", "x-real-ip": "1.2.3.4, 5.6.7.8" }), tp)).toBe("10.0.0.1");
  });

  it("normalizeIp and addressBucket (IPv6 by /64)", () => {
    expect(normalizeIp("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeIp("nope")).toBeNull();
    expect(addressBucket("198.51.100.4")).toBe("198.51.100.4");
    expect(addressBucket("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:db8:1:2::ffff")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("unknown")).toBe("unknown");
  });
});

describe("installSocketAddressHeader", () => {
  it("writes the peer address into every request of a Node HTTP server, replacing a header the client sent", async () => {
    installSocketAddressHeader();
    const server = http.createServer((req, res) => res.end(String(req.headers[SOCKET_ADDRESS_HEADER])));
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { [SOCKET_ADDRESS_HEADER]: "6.6.6.6" } });
      expect(await res.text()).toBe("127.0.0.1");
    } finally {
      server.close();
    }
  });
});
