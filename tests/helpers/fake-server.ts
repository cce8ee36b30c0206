/**
 * Loopback fakes for submission and webhook tests (127.0.0.1, ephemeral ports): a scriptable HTTP server that records
 * every request (method, path, headers, raw body) and answers with the next scripted reply or a default.
 * Test support only (tests/helpers): nothing in the app imports it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Recorded = { method: string; path: string; headers: http.IncomingHttpHeaders; body: string };
export type Reply = { status: number; body?: string; headers?: Record<string, string> };

export type FakeServer = {
  origin: string;
  /** `127.0.0.1:<port>`, for CRAWL_ALLOW_HOSTS. */
  hostPort: string;
  requests: Recorded[];
  /** Replies used in order for requests matching `path` (exact) before falling back to `routes`/default. */
  script(path: string, replies: Reply[]): void;
  /** Fixed reply for a path. */
  route(path: string, reply: Reply | null): void;
  close(): Promise<void>;
};

export async function startFakeServer(fallback: Reply = { status: 404, body: "not found" }): Promise<FakeServer> {
  const scripts = new Map<string, Reply[]>();
  const routes = new Map<string, Reply>();
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      requests.push({ method: req.method ?? "GET", path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const reply = scripts.get(path)?.shift() ?? routes.get(path) ?? fallback;
      res.writeHead(reply.status, { "content-type": "text/plain; charset=utf-8", ...reply.headers });
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    script: (path, replies) => void scripts.set(path, [...replies]),
    route: (path, reply) => void (reply ? routes.set(path, reply) : routes.delete(path)),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
