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
  close(): Promise<void>;
};

/** Minimal HTML page with the given `<a href>`s and extra `<head>` markup. */
export function page(links: string[] = [], head = "", body = ""): string {
  const as = links.map((href) => `<a href="${href}">${href}</a>`).join("\n");
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>${head}</head><body>${as}${body}</body></html>`;
}

/** Starts a site. Unknown paths answer 404 with an HTML body. */
export async function startSite(routes: Record<string, RouteSpec | RouteHandler>): Promise<TestSite> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push(path);
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
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    hostPort: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
