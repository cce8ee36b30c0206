/**
 * Test-only helpers for the crawler's vitest suites: a tiny website on 127.0.0.1 (node:http, port 0) whose
 * routes are plain objects, and which logs every request path so tests can assert what was (not) fetched.
 * Not imported by library code.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A canned response. Defaults: status 200, Content-Type `text/html; charset=utf-8`. */
export type RouteSpec = {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Content-Type; `null` sends none. */
  type?: string | null;
};
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export type TestSite = {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** `127.0.0.1:PORT`, for allowHosts. */
  hostPort: string;
  /** Every request's path+query, in arrival order. */
  requests: string[];
  /** Every request's header fields (lower-case names), in arrival order. */
  requestHeaders: Record<string, string | string[] | undefined>[];
  /** performance.now() at each request's arrival, in arrival order. */
  requestTimes: number[];
  /** The most requests this site was answering at one moment (arrived, response not yet finished). */
  readonly maxInFlight: number;
  close(): Promise<void>;
};

/** Minimal HTML page with the given `<a href>`s and extra `<head>` markup. */
export function page(links: string[] = [], head = "", body = ""): string {
  const as = links.map((href) => `<a href="${href}">${href}</a>`).join("\n");
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>${head}</head><body>${as}${body}</body></html>`;
}

/**
 * Starts a site on `host` (default 127.0.0.1; any 127.x.y.z works on Linux) and `port` (default: a free one).
 * Unknown paths answer 404 with an HTML body.
 */
export async function startSite(routes: Record<string, RouteSpec | RouteHandler>, opts: { host?: string; port?: number } = {}): Promise<TestSite> {
  const host = opts.host ?? "127.0.0.1";
  const requests: string[] = [];
  const requestHeaders: Record<string, string | string[] | undefined>[] = [];
  const requestTimes: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once("close", () => void inFlight--);
    const path = req.url ?? "/";
    requests.push(path);
    requestHeaders.push({ ...req.headers });
    requestTimes.push(performance.now());
    const route = routes[path];
    if (typeof route === "function") return route(req, res);
    const spec: RouteSpec = route ?? { status: 404, body: "<!DOCTYPE html><title>404</title>not found" };
    const headers: Record<string, string | string[]> = { ...spec.headers };
    const type = spec.type === undefined ? "text/html; charset=utf-8" : spec.type;
    if (type !== null) headers["content-type"] = type;
    res.writeHead(spec.status ?? 200, headers);
    res.end(spec.body ?? "");
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    port,
    hostPort: `${host}:${port}`,
    requests,
    requestHeaders,
    requestTimes,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
