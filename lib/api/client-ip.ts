/**
 * The client address of a request, for every per-address limit (failed authentications, sign-ups).
 *
 * Next's server does not hand the TCP peer address to route handlers, and the `X-Forwarded-For` it fills in is only
 * a default (`??=`): a client that sends its own header is believed. So installSocketAddressHeader() (called once
 * by instrumentation.ts) subscribes to Node's `http.server.request.start` diagnostics channel, which fires for every
 * request before any handler runs, and writes the peer address into SOCKET_ADDRESS_HEADER, replacing whatever the
 * client sent under that name. clientIp() then answers, following env TRUST_PROXY (lib/env.ts):
 *
 *   unset                     the socket address (X-Forwarded-For, X-Real-IP … are ignored: anyone can send them);
 *   x-forwarded-for[:N]       the N-th address from the right of X-Forwarded-For (N = trusted proxies, default 1:
 *                             the address the proxy next to the app appended); fewer entries → the leftmost one;
 *   any other header name     its whole value (e.g. x-real-ip, cf-connecting-ip), which the proxy must overwrite.
 *
 * A trusted header that is absent or holds no IP address falls back to the socket address (the request reached the
 * app without the proxy). Addresses come back normalised by ipaddr.js (`::ffff:1.2.3.4` → `1.2.3.4`); "unknown" when
 * there is none (a handler called outside the server, as in tests).
 */
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import ipaddr from "ipaddr.js";
import { getEnv, type TTrustProxy } from "@/lib/env";

/** Request header holding the TCP peer address, set by the server for every request (never by a client). */
export const SOCKET_ADDRESS_HEADER = "x-sitemap-forge-socket-address";

let installed = false;

/** Makes every request of this process carry SOCKET_ADDRESS_HEADER (module doc). Idempotent. */
export function installSocketAddressHeader(): void {
  if (installed) return;
  installed = true;
  subscribe("http.server.request.start", (message) => {
    const { request } = message as { request: IncomingMessage };
    request.headers[SOCKET_ADDRESS_HEADER] = request.socket?.remoteAddress ?? "";
  });
}

/** The address as ipaddr.js prints it (IPv4-mapped IPv6 as IPv4), or null when `raw` is no IP address. */
export function normalizeIp(raw: string | null | undefined): string | null {
  const v = raw?.trim().replace(/^\[(.*)\]$/, "$1");
  if (!v || !ipaddr.isValid(v)) return null;
  return ipaddr.process(v).toString();
}

/** The client address of `req` (module doc); `trustProxy` defaults to env TRUST_PROXY. */
export function clientIp(req: Request, trustProxy: TTrustProxy | undefined = getEnv().TRUST_PROXY): string {
  const socket = normalizeIp(req.headers.get(SOCKET_ADDRESS_HEADER));
  if (trustProxy) {
    const value = req.headers.get(trustProxy.header);
    if (value !== null) {
      let candidate = value;
      if (trustProxy.hops > 0) {
        const hops = value.split(",").map((s) => s.trim()).filter(Boolean);
        candidate = hops[Math.max(0, hops.length - trustProxy.hops)] ?? "";
      }
      const ip = normalizeIp(candidate);
      if (ip) return ip;
    }
  }
  return socket ?? "unknown";
}

/**
 * The bucket a per-address limit counts under: the address itself for IPv4, its /64 prefix for IPv6 (one subscriber
 * line usually holds a whole /64, so per-address buckets would be free to multiply).
 */
export function addressBucket(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const addr = ipaddr.parse(ip);
  if (addr.kind() === "ipv4") return addr.toString();
  return `${(addr as ipaddr.IPv6).toNormalizedString().split(":").slice(0, 4).join(":")}::/64`;
}
