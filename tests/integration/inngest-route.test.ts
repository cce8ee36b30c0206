/**
 * Contract tests of the real Inngest endpoint, app/api/inngest/route.ts, with no Inngest server.
 *
 * - `inngest` mode, as on Inngest Cloud or a self-hosted server: INNGEST_BASE_URL points at a fake Inngest API
 *   (node:http on 127.0.0.1) that records what it receives. Unsigned and badly signed requests get 401. A signed
 *   in-band sync lists `sitemap-forge-generate-sitemap` with its trigger, concurrency and retries. An out-of-band sync
 *   registers with the fake API (`POST /fn/register`, Bearer = hashed signing key). Events go to `/e/<event key>`.
 * - `local` mode: the same route rejects every request that is not signed with the process's local key, and nothing
 *   goes out to the network. startLocalRunner() and instrumentation's register() build one runner around the route.
 *
 * The route reads its env at module load, so each case stubs env, calls `vi.resetModules()`, and imports it again.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { canonicalJson, signBody } from "@/lib/jobs/protocol";
import { testBackends, useTestDb } from "@/tests/helpers/db";

const KEY_HEX = "0123456789abcdef".repeat(4);
const SIGNING_KEY = `signkey-test-${KEY_HEX}`;
const EVENT_KEY = "test-event-key";
const FN_ID = "sitemap-forge-generate-sitemap";
const ROUTE_URL = "http://localhost:3000/api/inngest";

type Recorded = { method: string; url: string; headers: http.IncomingHttpHeaders; body: any };
const received: Recorded[] = [];
let server: http.Server;
let apiBase = "";

beforeAll(async () => {
  // The SDK logs every rejected signature with a stack trace; the assertions below check the 401s.
  vi.spyOn(console, "error").mockImplementation(() => {});
  server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        /* keep text */
      }
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.setHeader("content-type", "application/json");
      if (req.method === "POST" && req.url?.startsWith("/fn/register")) return res.end(JSON.stringify({ ok: true, modified: true }));
      if (req.method === "POST" && req.url?.startsWith("/e/")) {
        const events = Array.isArray(body) ? body : [body];
        return res.end(JSON.stringify({ ids: events.map((_, i) => `evt-${i}`), status: 200 }));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: "not found" }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  vi.unstubAllEnvs();
  received.length = 0;
});

type Route = typeof import("@/app/api/inngest/route");

/** Fresh copies of the route (and the client, functions) under the given INNGEST_* env. */
async function loadRoute(env: Record<string, string | undefined>): Promise<Route> {
  const all = {
    INNGEST_MODE: undefined,
    INNGEST_DEV: undefined,
    INNGEST_SIGNING_KEY: undefined,
    INNGEST_SIGNING_KEY_FALLBACK: undefined,
    INNGEST_EVENT_KEY: undefined,
    INNGEST_BASE_URL: apiBase,
    INNGEST_ENABLE_UNAUTHED_SYNC: undefined,
    INNGEST_ALLOW_IN_BAND_SYNC: undefined,
    INNGEST_STREAMING: undefined,
    ...env,
  };
  for (const [k, v] of Object.entries(all)) vi.stubEnv(k, v);
  vi.resetModules();
  return import("@/app/api/inngest/route");
}

const call = (h: (req: any, res: unknown) => Promise<Response>, init: { method: string; query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; signWith?: string }) => {
  const url = new URL(ROUTE_URL);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const raw = init.body === undefined ? undefined : canonicalJson(init.body);
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  if (init.signWith) headers["x-inngest-signature"] = signBody(raw ?? "", init.signWith);
  return h(new Request(url, { method: init.method, body: raw, headers }), undefined);
};

const execBody = { event: { name: "sitemap/generate.requested", data: { runId: "r1", sitemapId: "s1" }, id: "e1", ts: 1 }, events: [], steps: {}, version: 2, ctx: { run_id: "run-1", attempt: 0, max_attempts: 3, stack: { stack: [], current: -1 } } };

describe("app/api/inngest/route.ts with a real Inngest server (INNGEST_MODE=inngest, cloud keys)", () => {
  const cloud = { INNGEST_MODE: "inngest", INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_EVENT_KEY: EVENT_KEY };

  it("exports GET/POST/PUT for the Node.js runtime, never cached", async () => {
    const route = await loadRoute(cloud);
    expect(typeof route.GET).toBe("function");
    expect(typeof route.POST).toBe("function");
    expect(typeof route.PUT).toBe("function");
    expect(route.runtime).toBe("nodejs");
    expect(route.dynamic).toBe("force-dynamic");
  });

  it("rejects an unsigned GET (introspection) with 401", async () => {
    const { GET } = await loadRoute(cloud);
    const res = await call(GET, { method: "GET" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: "Unauthorized" });
  });

  it("rejects an unsigned POST (execution) with 401", async () => {
    const { POST } = await loadRoute(cloud);
    const res = await call(POST, { method: "POST", query: { fnId: FN_ID, stepId: "step" }, body: execBody });
    expect(res.status).toBe(401);
  });

  it("rejects a POST signed with another key with 401", async () => {
    const { POST } = await loadRoute(cloud);
    const res = await call(POST, { method: "POST", query: { fnId: FN_ID, stepId: "step" }, body: execBody, signWith: `signkey-test-${"9".repeat(64)}` });
    expect(res.status).toBe(401);
  });

  it("rejects an in-band PUT with a bad signature with 401", async () => {
    const { PUT } = await loadRoute(cloud);
    const res = await call(PUT, {
      method: "PUT",
      body: { url: ROUTE_URL },
      headers: { "x-inngest-sync-kind": "in_band", "x-inngest-signature": `t=${Math.floor(Date.now() / 1000)}&s=${"0".repeat(64)}` },
    });
    expect(res.status).toBe(401);
    expect(received).toEqual([]);
  });

  it("answers a signed in-band PUT with the registration: generate-sitemap, its trigger, concurrency and retries", async () => {
    const { PUT } = await loadRoute(cloud);
    const res = await call(PUT, { method: "PUT", body: { url: ROUTE_URL }, headers: { "x-inngest-sync-kind": "in_band" }, signWith: SIGNING_KEY });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-inngest-sync-kind")).toBe("in_band");
    const text = await res.text();
    // The SDK signs its answer with the same key: s = HMAC(key, body + t).
    const t = new URLSearchParams(res.headers.get("x-inngest-signature") ?? "").get("t")!;
    expect(res.headers.get("x-inngest-signature")).toBe(signBody(text, SIGNING_KEY, Number(t) * 1000));
    const body = JSON.parse(text);
    expect(body.app_id).toBe("sitemap-forge");
    expect(body.framework).toBe("nextjs");
    const fn = body.functions.find((f: { id: string }) => f.id === FN_ID);
    expect(fn).toMatchObject({
      id: FN_ID,
      triggers: [{ event: "sitemap/generate.requested" }],
      concurrency: { key: "event.data.sitemapId", limit: 1 },
      steps: { step: { retries: { attempts: 2 } } },
    });
    expect(fn.steps.step.runtime.url).toContain(`fnId=${FN_ID}`);
    expect(received).toEqual([]); // in-band: nothing is sent anywhere
  });

  it("answers a signed GET with the authenticated introspection (cloud mode, keys present)", async () => {
    const { GET } = await loadRoute(cloud);
    const res = await call(GET, { method: "GET", signWith: SIGNING_KEY });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ authentication_succeeded: true, mode: "cloud", has_event_key: true, has_signing_key: true, app_id: "sitemap-forge" });
  });

  it("accepts a signed POST (the signature check passes; an unknown function id then fails with 500)", async () => {
    const { POST } = await loadRoute(cloud);
    const res = await call(POST, { method: "POST", query: { fnId: "sitemap-forge-no-such-fn", stepId: "step" }, body: execBody, signWith: SIGNING_KEY });
    expect(res.status).toBe(500);
    expect((await res.json()).message).toMatch(/not found in this app/);
  });

  it("registers out of band with the Inngest API: POST /fn/register with the hashed signing key as Bearer", async () => {
    const { PUT } = await loadRoute(cloud);
    const res = await call(PUT, { method: "PUT" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "Successfully registered", modified: true });
    expect(received).toHaveLength(1);
    const reg = received[0];
    expect(reg.method).toBe("POST");
    expect(reg.url).toBe("/fn/register");
    const hashed = createHash("sha256").update(Buffer.from(KEY_HEX, "hex")).digest("hex");
    expect(reg.headers.authorization).toBe(`Bearer signkey-test-${hashed}`);
    expect(reg.body).toMatchObject({ appName: "sitemap-forge", framework: "nextjs", url: ROUTE_URL });
    expect(reg.body.functions.map((f: { id: string }) => f.id)).toContain(FN_ID);
  });

  it("sends sitemap/generate.requested to the event API with the idempotency id generate-<runId>", async () => {
    await loadRoute(cloud);
    const { sendGenerateRequested } = await import("@/lib/jobs/events");
    const out = await sendGenerateRequested({ runId: "run_123", sitemapId: "sm_1" });
    expect(out.ids).toEqual(["evt-0"]);
    expect(received).toHaveLength(1);
    expect(received[0].url).toBe(`/e/${EVENT_KEY}`);
    expect(received[0].body).toEqual([expect.objectContaining({ name: "sitemap/generate.requested", id: "generate-run_123", data: { runId: "run_123", sitemapId: "sm_1" } })]);
    await expect(sendGenerateRequested({ runId: "", sitemapId: "sm_1" })).rejects.toThrow();
  });
});

describe("app/api/inngest/route.ts in local mode (INNGEST_MODE unset)", () => {
  it("is a cloud-mode client with a per-process signing key, so the SDK checks signatures", async () => {
    await loadRoute({});
    const client = await import("@/lib/jobs/client");
    expect(client.INNGEST_MODE).toBe("local");
    expect(client.inngest.mode).toBe("cloud");
    expect(client.localSigningKey()).toMatch(/^signkey-local-[0-9a-f]{64}$/);
    expect(client.localSigningKey()).toBe(client.localSigningKey());
  });

  it("rejects unsigned GET, POST, in-band PUT and out-of-band PUT with 401, and calls out to nothing", async () => {
    const { GET, POST, PUT } = await loadRoute({});
    const responses = await Promise.all([
      call(GET, { method: "GET" }),
      call(POST, { method: "POST", query: { fnId: FN_ID, stepId: "step" }, body: execBody }),
      call(PUT, { method: "PUT", body: { url: ROUTE_URL }, headers: { "x-inngest-sync-kind": "in_band" } }),
      call(PUT, { method: "PUT" }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(received).toEqual([]);
  });

  it("rejects requests signed with a key other than the process's", async () => {
    const { POST } = await loadRoute({});
    const res = await call(POST, { method: "POST", query: { fnId: FN_ID, stepId: "step" }, body: execBody, signWith: SIGNING_KEY });
    expect(res.status).toBe(401);
  });

  it("accepts requests signed with the process's local key (what the runner does)", async () => {
    const { PUT } = await loadRoute({});
    const { localSigningKey } = await import("@/lib/jobs/client");
    const res = await call(PUT, { method: "PUT", body: { url: ROUTE_URL }, headers: { "x-inngest-sync-kind": "in_band" }, signWith: localSigningKey() });
    expect(res.status).toBe(200);
    expect((await res.json()).functions.map((f: { id: string }) => f.id)).toContain(FN_ID);
  });

  it("uses INNGEST_SIGNING_KEY when it is set", async () => {
    await loadRoute({ INNGEST_SIGNING_KEY: SIGNING_KEY });
    const { localSigningKey, inngest } = await import("@/lib/jobs/client");
    expect(localSigningKey()).toBe(SIGNING_KEY);
    expect(inngest.mode).toBe("cloud");
  });

  it("keeps inngest.send() in the process (buffered until a runner attaches), never on the network", async () => {
    await loadRoute({ INNGEST_DEV: "1" }); // ignored in local mode
    const { setLocalEventSink } = await import("@/lib/jobs/local-send");
    const { takeBufferedEvents } = await import("@/tests/helpers/local-send");
    await setLocalEventSink(undefined);
    takeBufferedEvents();
    const { sendGenerateRequested } = await import("@/lib/jobs/events");
    const out = await sendGenerateRequested({ runId: "run_9", sitemapId: "sm_9" });
    expect(out.ids).toEqual(["generate-run_9"]);
    expect(takeBufferedEvents()).toEqual([{ name: "sitemap/generate.requested", id: "generate-run_9", data: { runId: "run_9", sitemapId: "sm_9" }, ts: expect.any(Number) }]);
    expect(received).toEqual([]);
  });

  it("rejects an unknown INNGEST_MODE at import", async () => {
    await expect(loadRoute({ INNGEST_MODE: "cloud" })).rejects.toThrow(/INNGEST_MODE must be "local" or "inngest"/);
  });
});

describe("starting the local runner around the real route", () => {
  const t = useTestDb(testBackends()[0]);

  it("startLocalRunner() is idempotent, syncs the route's functions and becomes the event sink", async () => {
    await loadRoute({});
    const start = await import("@/lib/jobs/start-local");
    const { getLocalEventSink } = await import("@/lib/jobs/local-send");
    try {
      const route = () => import("@/app/api/inngest/route");
      const [a, b] = await Promise.all([start.startLocalRunner({ db: () => t.db, route }), start.startLocalRunner()]);
      expect(a).toBe(b);
      expect(start.getLocalRunner()).toBe(a);
      expect(await start.startLocalRunner()).toBe(a);
      expect(a.functions.map((f) => f.id)).toContain(FN_ID);
      expect(getLocalEventSink()).toBe(a);
    } finally {
      await start.stopLocalRunner();
    }
    expect(start.getLocalRunner()).toBeUndefined();
    expect(getLocalEventSink()).toBeUndefined();
  });

  it("localTransport(): http under next dev (HMR-fresh code), in-process otherwise, overridable", async () => {
    const { localTransport } = await import("@/lib/jobs/start-local");
    expect(localTransport({ NODE_ENV: "development" })).toBe("http");
    expect(localTransport({ NODE_ENV: "production" })).toBe("in-process");
    expect(localTransport({ NODE_ENV: "development", INNGEST_LOCAL_TRANSPORT: "in-process" })).toBe("in-process");
  });

  it("the http transport syncs once the server listens and runs jobs through it", async () => {
    const route = await loadRoute({});
    // A stand-in for the Next server: node:http in front of the route's handlers. It starts listening only after
    // the runner has begun its first sync, as under `next dev`.
    const seen: string[] = [];
    const srv = http.createServer(async (req, res) => {
      let raw = "";
      for await (const c of req) raw += c;
      seen.push(`${req.method} ${req.url}`);
      const h = req.method === "PUT" ? route.PUT : req.method === "POST" ? route.POST : route.GET;
      const out = await h(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: raw || undefined }) as never, undefined);
      res.writeHead(out.status, Object.fromEntries(out.headers));
      res.end(await out.text());
    });
    const port = await new Promise<number>((r) => {
      const probe = http.createServer().listen(0, "127.0.0.1", () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => r(p));
      });
    });
    vi.stubEnv("INNGEST_LOCAL_URL", `http://127.0.0.1:${port}/api/inngest`);
    const start = await import("@/lib/jobs/start-local");
    const starting = start.startLocalRunner({ transport: "http", pollIntervalMs: 100 });
    await new Promise((r) => setTimeout(r, 700)); // the first sync attempts fail: nothing listens yet
    await new Promise<void>((r) => srv.listen(port, "127.0.0.1", r));
    try {
      const runner = await starting;
      expect(runner.url).toBe(`http://127.0.0.1:${port}/api/inngest`);
      const { sendGenerateRequested } = await import("@/lib/jobs/events");
      await sendGenerateRequested({ runId: "http-run", sitemapId: "sm-http" });
      await runner.idle();
      const { jobRunIdFor } = await import("@/lib/jobs/protocol");
      const run = await t.db.jobRun.findUniqueOrThrow({ where: { id: jobRunIdFor(FN_ID, "generate-http-run") } });
      expect(run.status).toBe("completed");
      expect(seen).toContain(`POST /api/inngest?fnId=${FN_ID}&stepId=step`);
      expect(seen.filter((r) => r.startsWith("PUT")).length).toBeGreaterThanOrEqual(2); // start + re-sync on send
    } finally {
      await start.stopLocalRunner();
      await new Promise((r) => srv.close(r));
    }
  });

  it("instrumentation register() starts the runner only in the Node.js runtime and local mode", async () => {
    await loadRoute({ INNGEST_MODE: "inngest", INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_EVENT_KEY: EVENT_KEY });
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    const { register } = await import("@/instrumentation");
    const start = await import("@/lib/jobs/start-local");
    await register();
    expect(start.getLocalRunner()).toBeUndefined();

    await loadRoute({});
    vi.stubEnv("NEXT_RUNTIME", "edge");
    const again = await import("@/instrumentation");
    await again.register();
    expect((await import("@/lib/jobs/start-local")).getLocalRunner()).toBeUndefined();

    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    await again.register();
    const local = await import("@/lib/jobs/start-local");
    try {
      expect(local.getLocalRunner()?.functions.map((f) => f.id)).toContain(FN_ID);
    } finally {
      await local.stopLocalRunner();
    }
  });
});
