/**
 * Test-only: the app's route handlers behind a real node:http server on 127.0.0.1 (port 0 or a given one), so tests
 * can send requests over a socket byte for byte (HTTP/1.0, absolute-form request targets, hand-made multipart) and
 * read the raw answer. Next's own server is also node:http, so the request parsing (llhttp) is the same; what this
 * leaves out is Next's router and proxy.ts. The TCP peer address goes into SOCKET_ADDRESS_HEADER as on `npm start`
 * (installSocketAddressHeader). Not imported by library code.
 *
 *   const srv = await startRouteServer([{ path: /^\/api\/import\/sitemap$/, module: anqiRoute }, …]);
 *   const raw = await rawRequest(srv.port, "POST /api/… HTTP/1.0\r\n…");   // { status, headers, body, text }
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { installSocketAddressHeader } from "@/lib/api/client-ip";

/** A route module's handler as Next exports it; each declares its own params type, so the context is typed loosely. */
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;
export type RouteModule = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>;
/** `path` is matched against the pathname; its named groups are the route's params. */
export type MountedRoute = { path: RegExp; module: RouteModule };

export type RouteServer = { origin: string; port: number; close(): Promise<void> };

export async function startRouteServer(routes: MountedRoute[], opts: { port?: number } = {}): Promise<RouteServer> {
  installSocketAddressHeader();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        // An absolute-form target (`POST http://host/path HTTP/1.0`) is the URL itself; origin-form takes Host.
        const target = req.url ?? "/";
        const url = /^https?:\/\//i.test(target) ? new URL(target) : new URL(target, `http://${req.headers.host ?? "localhost"}`);
        const headers = new Headers();
        for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
        for (const [k, v] of Object.entries(req.headers)) if (k.startsWith("x-sitemap-forge-")) headers.set(k, String(v));
        const method = (req.method ?? "GET") as keyof RouteModule;
        const body = chunks.length && method !== "GET" ? Buffer.concat(chunks) : undefined;
        const route = routes.find((r) => r.path.test(url.pathname));
        const handler = route?.module[method];
        let answer: Response;
        if (!route || !handler) answer = new Response("no such route in this test server", { status: 404 });
        else {
          const params = { ...(route.path.exec(url.pathname)?.groups ?? {}) };
          answer = await handler(new Request(url, { method, headers, body }), { params: Promise.resolve(params) });
        }
        const bytes = Buffer.from(await answer.arrayBuffer());
        const out: Record<string, string> = {};
        answer.headers.forEach((v, k) => void (out[k] = v));
        res.writeHead(answer.status, { ...out, "content-length": String(bytes.length) });
        res.end(bytes);
      })().catch((err: unknown) => {
        res.writeHead(599, { "content-type": "text/plain" });
        res.end(String(err instanceof Error ? err.stack : err));
      });
    });
  });
  // A synchronous adapter call may hold its connection for minutes (AnQiCMS, Sitemap.xml generate).
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export type RawAnswer = { statusLine: string; status: number; headers: Record<string, string>; text: string; json: () => unknown };

/**
 * Sends `bytes` as they are over a new TCP connection to 127.0.0.1:`port` and reads the answer until Content-Length
 * bytes arrived or the server closes (HTTP/1.0). Rejects after `timeoutMs`.
 */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 30_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      if (split < 0) return false;
      const head = all.subarray(0, split).toString("latin1").split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(":");
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const body = all.subarray(split + 4);
      const length = headers["content-length"] === undefined ? null : Number(headers["content-length"]);
      if (length !== null && body.length < length) return false;
      clearTimeout(timer);
      sock.destroy();
      const text = body.subarray(0, length ?? body.length).toString("utf8");
      resolve({ statusLine: head[0], status: Number(head[0].split(" ")[1]), headers, text, json: () => JSON.parse(text) });
      return true;
    };
    sock.on("data", (c: Buffer) => {
      chunks.push(c);
      finish();
    });
    sock.on("end", () => {
      if (!finish()) {
        clearTimeout(timer);
        reject(new Error(`connection closed before a complete answer: ${Buffer.concat(chunks).toString("latin1").slice(0, 200)}`));
      }
    });
    sock.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.write(bytes);
  });
}
