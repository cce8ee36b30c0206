/**
 * Two app instances, one database, one object store (issue 12 item 3): two real `npm start` servers A and B
 * (`node scripts/run-app.mjs start`, the production build of this checkout, SKIP_BUILD=1), plus a web-only instance C
 * (APP_ROLE=web), started at the same moment on three loopback ports, against one fresh PostgreSQL database (TEST_DATABASE_URL's server, else
 * postgresql://postgres@127.0.0.1:5432) and one s3rver object store (tests/helpers/s3.ts), each with its own empty
 * FILES_DIR, so nothing is shared but the database and the bucket.
 *
 * Checked through both instances' HTTP APIs:
 * - a run started through A downloads through B (and A): same bytes, same ETag, 304 on If-None-Match on both, and the
 *   files are objects in the bucket;
 * - quotas stay exact across both: daily quota 40 with 30 calls made, then 50 calls in parallel split 25/25 over A
 *   and B → exactly 10 × 200 and 40 × 403 quota_exceeded; the same for a per-minute limit of 40 → 10 × 200 and
 *   40 × 429 with Retry-After;
 * - each run executes once: runs started alternately on A and B each crawl their part of a tiny loopback site, and
 *   every page of it is fetched exactly once; each run has exactly one job run, completed;
 * - the scheduler fires once per hour slot: both instances run the cron scheduler on the test hook
 *   INNGEST_LOCAL_TEST_CRON (every cron trigger every 2 s, without the scheduler lock, lib/jobs/cron-scheduler.ts), the
 *   test makes the hour slot due again by deleting its SchedulerSlot rows, and a sitemap planned in this hour gets
 *   exactly one run per slot although both instances keep ticking;
 * - a key revoked through A is refused by B within 1 s (lib/auth/key-cache.ts);
 * - a run started through the web instance C is executed by A or B, never by C.
 * Skipped, with the reason, only when no PostgreSQL server answers. Needs the production build (`next build`, which
 * `npm test` runs before Playwright).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import pg from "pg";
import { startS3, type TestS3 } from "../tests/helpers/s3";
import { ROOT } from "./realsite";

test.describe.configure({ mode: "serial", timeout: 240_000 });

const ADMIN_URL = process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const PASSWORD = "correct-horse-battery-1";
const TICK = "*/2 * * * * *";
/** Pages per part of the tiny site; part `k` lives under /s<k>/ and is the start URL of one sitemap. */
const PAGES = ["", "a", "b", "c", "d"];

type Server = { name: string; url: string; proc: ChildProcess; log: string[] };
// API answers, checked field by field.
type Json = Record<string, any>;

const state: {
  skip?: string;
  dbName?: string;
  dbUrl?: string;
  s3?: TestS3;
  site?: http.Server;
  siteOrigin?: string;
  hits: Map<string, number>;
  servers: Server[];
  filesDirs: string[];
  sql?: pg.Client;
} = { hits: new Map(), servers: [], filesDirs: [] };

const A = () => state.servers[0];
const B = () => state.servers[1];
const C = () => state.servers[2];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The tiny site: /s<k>/ and its pages link to each other; every request path is counted. */
function startSite(): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer((req, res) => {
    const p = (req.url ?? "/").split("?")[0];
    state.hits.set(p, (state.hits.get(p) ?? 0) + 1);
    const m = /^\/(s\d+|sched)\/([a-z]*)$/.exec(p);
    if (!m || !PAGES.includes(m[2])) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const links = PAGES.map((q) => `<a href="/${m[1]}/${q}">${q || "home"}</a>`).join(" ");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!DOCTYPE html><html><head><title>${p}</title></head><body><h1>${p}</h1><p>Page ${p} of the multi-instance test.</p>${links}</body></html>`);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` })));
}

function startServer(name: string, port: number, env: Record<string, string>): Server {
  const log: string[] = [];
  const proc = spawn(process.execPath, ["scripts/run-app.mjs", "start"], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), APP_URL: `http://localhost:${port}`, NEXTAUTH_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [proc.stdout!, proc.stderr!]) stream.on("data", (d: Buffer) => log.push(...d.toString().split("\n").filter(Boolean)));
  return { name, url: `http://localhost:${port}`, proc, log };
}

async function waitUntilServing(s: Server, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (s.proc.exitCode !== null) throw new Error(`instance ${s.name} exited with ${s.proc.exitCode}:\n${s.log.slice(-30).join("\n")}`);
    try {
      const r = await fetch(`${s.url}/api/auth/csrf`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`instance ${s.name} not serving after ${timeoutMs} ms:\n${s.log.slice(-30).join("\n")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function stopServer(s: Server) {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const exited = new Promise((r) => s.proc.once("exit", r));
  s.proc.kill("SIGTERM");
  const timer = setTimeout(() => s.proc.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A signed-in dashboard session on `server` (next-auth credentials), for the session-only endpoints. */
async function session(server: Server, email: string): Promise<APIRequestContext> {
  const ctx = await playwrightRequest.newContext({ baseURL: server.url, extraHTTPHeaders: { Origin: server.url } });
  const { csrfToken } = await (await ctx.get("/api/auth/csrf")).json();
  const r = await ctx.post("/api/auth/callback/credentials", { form: { csrfToken, email, password: PASSWORD, json: "true" }, maxRedirects: 0 });
  expect([200, 302]).toContain(r.status());
  const me = await (await ctx.get("/api/auth/session")).json();
  expect(me?.user?.email).toBe(email);
  return ctx;
}

/** Signs a user up through `server`, sets its plan in the database, and returns a session and an API key. */
async function user(server: Server, tag: string, plan: string) {
  const email = `${tag}-${randomBytes(4).toString("hex")}@example.com`;
  const r = await fetch(`${server.url}/api/v1/signup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(r.status, await r.clone().text()).toBe(201);
  await state.sql!.query(`UPDATE "User" SET plan = $1 WHERE email = $2`, [plan, email]);
  const ctx = await session(server, email);
  return { email, ctx, key: await newKey(ctx, tag) };
}

async function newKey(ctx: APIRequestContext, name: string): Promise<{ key: string; id: string }> {
  const r = await ctx.post("/api/v1/api-keys", { data: { name } });
  expect(r.status(), await r.text()).toBe(201);
  const d = (await r.json()).data;
  return { key: d.key, id: d.id };
}

async function call(server: Server, key: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(`${server.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json: Json | null = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a file)
  }
  return { status: r.status, headers: r.headers, text, json };
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (err) {
    state.skip = `no PostgreSQL answers at ${ADMIN_URL.replace(/\/\/[^@]*@/, "//")} (${(err as Error).message}); set TEST_DATABASE_URL`;
    return;
  }
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("no production build in .next: run `next build` first (npm test does)");
  state.dbName = `sf_multi_${randomBytes(5).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${state.dbName}`);
  await admin.end();
  const u = new URL(ADMIN_URL);
  u.pathname = `/${state.dbName}`;
  state.dbUrl = u.toString();

  state.s3 = await startS3(await freePort(), { bucket: "multi", prefix: "forge" });
  const site = await startSite();
  state.site = site.server;
  state.siteOrigin = site.origin;

  const ports = [await freePort(), await freePort(), await freePort()];
  const common = {
    ...state.s3.env,
    DATABASE_URL: state.dbUrl,
    NEXTAUTH_SECRET: "multi-instance-secret-0123456789abcdef",
    SKIP_BUILD: "1",
    INNGEST_MODE: "local",
    APP_ROLE: "all",
    INNGEST_LOCAL_TEST_CRON: TICK,
    CRAWL_ALLOW_HOSTS: new URL(site.origin).host,
    // starter: the daily-quota user; professional: the per-minute user; enterprise (unlimited day): everything else.
    PLAN_LIMITS: JSON.stringify({ starter: { perMinute: 1000, perDay: 40 }, professional: { perMinute: 40, perDay: 1_000_000 } }),
    NEXT_TELEMETRY_DISABLED: "1",
    INNGEST_LOCAL_LOG_LEVEL: "info",
    SIGNUP_RATE_LIMIT_PER_MINUTE: "100",
  };
  // All at the same moment: all migrate the empty database at once (lib/db/migrate.ts holds a lock for that).
  state.servers = ["A", "B", "C"].map((name, i) => {
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), `sf-multi-${name}-`));
    state.filesDirs.push(filesDir);
    const role = name === "C" ? { APP_ROLE: "web", INNGEST_LOCAL_TEST_CRON: "" } : {};
    return startServer(name, ports[i], { ...common, FILES_DIR: filesDir, ...role });
  });
  await Promise.all(state.servers.map((s) => waitUntilServing(s, 180_000)));
  state.sql = new pg.Client({ connectionString: state.dbUrl });
  await state.sql.connect();
});

test.afterAll(async () => {
  await Promise.all(state.servers.map(stopServer));
  await state.sql?.end().catch(() => {});
  await state.s3?.close();
  await new Promise((r) => (state.site ? state.site.close(r) : r(undefined)));
  for (const d of state.filesDirs) fs.rmSync(d, { recursive: true, force: true });
  if (state.dbName) {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${state.dbName} WITH (FORCE)`);
    await admin.end();
  }
});

test("both instances migrated one database at once and serve it", async () => {
  test.skip(Boolean(state.skip), state.skip);
  const migrations = fs.readdirSync(path.join(ROOT, "prisma", "migrations")).filter((d) => fs.existsSync(path.join(ROOT, "prisma", "migrations", d, "migration.sql")));
  const rows = (await state.sql!.query(`SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations`)).rows;
  expect(rows.map((r) => r.migration_name).sort()).toEqual(migrations.sort());
  expect(rows.every((r) => r.finished_at && !r.rolled_back_at)).toBe(true);
  const applied = state.servers.map((s) => s.log.some((l) => l.startsWith("Applied: ")));
  expect(applied.filter(Boolean)).toHaveLength(1); // one instance applied them, the others found nothing pending
});

test("quotas and rate limits stay exact across both instances (50 parallel calls split 25/25)", async () => {
  test.skip(Boolean(state.skip), state.skip);
  const daily = await user(A(), "daily", "starter");
  const minute = await user(B(), "minute", "professional");
  const list = (s: Server, key: string) => call(s, key, "GET", "/api/v1/sitemaps");
  const split = (key: string) => Promise.all(Array.from({ length: 50 }, (_, i) => list(i % 2 ? B() : A(), key)));

  // Daily quota 40: 30 calls made (alternating), then 50 at once.
  for (let i = 0; i < 30; i++) expect((await list(i % 2 ? B() : A(), daily.key.key)).status).toBe(200);
  const day = await split(daily.key.key);
  expect(day.filter((r) => r.status === 200)).toHaveLength(10);
  const refused = day.filter((r) => r.status === 403);
  expect(refused).toHaveLength(40);
  for (const r of refused) {
    expect(r.json?.error?.code).toBe("quota_exceeded");
    expect(r.headers.get("x-quota-remaining")).toBe("0");
  }
  const usage = await call(A(), daily.key.key, "GET", "/api/v1/usage");
  expect(usage.status).toBe(403); // the quota is spent for both instances

  // Per-minute limit 40: the 80 calls must fall into one UTC minute, so start with at least 25 s of it left.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 35_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
  for (let i = 0; i < 30; i++) expect((await list(i % 2 ? A() : B(), minute.key.key)).status).toBe(200);
  const min = await split(minute.key.key);
  expect(min.filter((r) => r.status === 200)).toHaveLength(10);
  const limited = min.filter((r) => r.status === 429);
  expect(limited).toHaveLength(40);
  for (const r of limited) {
    expect(r.json?.error?.code).toBe("rate_limited");
    const after = Number(r.headers.get("retry-after"));
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThanOrEqual(60);
  }
  await daily.ctx.dispose();
  await minute.ctx.dispose();
});

test("runs started alternately on A and B each execute once; files download through both, from the object store", async () => {
  test.skip(Boolean(state.skip), state.skip);
  const owner = await user(A(), "runs", "enterprise");
  const key = owner.key.key;
  const parts = [0, 1, 2, 3];
  const ids: string[] = [];
  for (const k of parts) {
    const created = await call(k % 2 ? B() : A(), key, "POST", "/api/v1/sitemaps", { name: `part ${k}`, startUrl: `${state.siteOrigin}/s${k}/`, fileName: `s${k}` });
    expect(created.status, created.text).toBe(201);
    ids.push(created.json!.data.id);
  }
  const runIds = await Promise.all(
    parts.map(async (k) => {
      const started = await call(k % 2 ? B() : A(), key, "POST", `/api/v1/sitemaps/${ids[k]}/generate`);
      expect(started.status, started.text).toBe(202);
      return started.json!.data.id as string;
    }),
  );
  // Each run is read through the instance that did not start it.
  for (const k of parts) {
    const other = k % 2 ? A() : B();
    const end = Date.now() + 120_000;
    for (;;) {
      const r = await call(other, key, "GET", `/api/v1/runs/${runIds[k]}`);
      expect(r.status).toBe(200);
      if (!["queued", "running"].includes(r.json!.data.status)) {
        expect(r.json!.data.status, r.text).toBe("succeeded");
        break;
      }
      if (Date.now() > end) throw new Error(`run ${runIds[k]} still ${r.json!.data.status}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }
  // Every page of every part fetched exactly once: no run was crawled twice.
  for (const k of parts) for (const p of PAGES) expect(state.hits.get(`/s${k}/${p}`), `/s${k}/${p}`).toBe(1);
  const jobs = (
    await state.sql!.query(
      `SELECT event->'data'->>'runId' AS "runId", status, attempt FROM "JobRun" WHERE "fnId" = 'sitemap-forge-generate-sitemap' AND event->'data'->>'runId' = ANY($1)`,
      [runIds],
    )
  ).rows;
  expect(jobs.map((j) => j.runId).sort()).toEqual([...runIds].sort());
  expect(jobs.every((j) => j.status === "completed")).toBe(true);

  // Run 0 was started through A: its file through B and A, same bytes and validators, 304 on both.
  const name = "s0.xml";
  const viaB = await call(B(), key, "GET", `/api/v1/sitemaps/${ids[0]}/files/${name}`);
  const viaA = await call(A(), key, "GET", `/api/v1/sitemaps/${ids[0]}/files/${name}`);
  expect(viaB.status).toBe(200);
  expect(viaA.status).toBe(200);
  expect(viaB.text).toBe(viaA.text);
  for (const p of PAGES) expect(viaB.text).toContain(`<loc>${state.siteOrigin}/s0/${p}</loc>`);
  const etag = viaB.headers.get("etag");
  expect(etag).toBeTruthy();
  expect(viaA.headers.get("etag")).toBe(etag);
  expect(viaA.headers.get("last-modified")).toBe(viaB.headers.get("last-modified"));
  for (const s of [A(), B()]) {
    expect((await call(s, key, "GET", `/api/v1/sitemaps/${ids[0]}/files/${name}`, undefined, { "if-none-match": etag! })).status).toBe(304);
    const pub = await fetch(`${s.url}/s/${ids[0]}/${name}`);
    expect(pub.status).toBe(200);
    expect(await pub.text()).toBe(viaA.text);
    expect((await fetch(`${s.url}/s/${ids[0]}/${name}`, { headers: { "if-none-match": etag! } })).status).toBe(304);
  }
  // The bytes live in the bucket, not on either instance's disk.
  expect(await state.s3!.keys(`${ids[0]}/`)).toContain(`forge/${ids[0]}/${runIds[0]}/${name}`);
  for (const d of state.filesDirs) expect(fs.existsSync(path.join(d, ids[0]))).toBe(false);

  // A key revoked through A is refused by B within 1 s, although B had just authenticated (and cached) it.
  const doomed = await newKey(owner.ctx, "doomed");
  expect((await call(B(), doomed.key, "GET", "/api/v1/sitemaps")).status).toBe(200);
  const revoke = await owner.ctx.delete(`/api/v1/api-keys/${doomed.id}`);
  expect(revoke.status()).toBe(204);
  const revokedAt = Date.now();
  expect((await call(A(), doomed.key, "GET", "/api/v1/sitemaps")).status).toBe(401); // the revoking instance: at once
  const seen: { startedAfterMs: number; status: number }[] = [];
  while (Date.now() - revokedAt < 1_600) {
    const startedAfterMs = Date.now() - revokedAt;
    seen.push({ startedAfterMs, status: (await call(B(), doomed.key, "GET", "/api/v1/sitemaps")).status });
    await new Promise((r) => setTimeout(r, 100));
  }
  const late = seen.filter((x) => x.startedAfterMs >= 1_000);
  expect(late.length).toBeGreaterThan(0);
  expect(late.every((x) => x.status === 401), JSON.stringify(seen)).toBe(true);
  const firstRefused = seen.findIndex((x) => x.status === 401);
  expect(seen.slice(firstRefused).every((x) => x.status === 401), JSON.stringify(seen)).toBe(true);
  await owner.ctx.dispose();
});

test("a run started through the web instance C (APP_ROLE=web) is executed by A or B, never by C", async () => {
  test.skip(Boolean(state.skip), state.skip);
  expect(C().log.some((l) => l.includes("execute: false (APP_ROLE=web)"))).toBe(true);
  const owner = await user(C(), "web", "enterprise");
  const created = await call(C(), owner.key.key, "POST", "/api/v1/sitemaps", { name: "via web", startUrl: `${state.siteOrigin}/s9/`, fileName: "s9" });
  expect(created.status, created.text).toBe(201);
  const started = await call(C(), owner.key.key, "POST", `/api/v1/sitemaps/${created.json!.data.id}/generate?wait=90`);
  expect(started.status, started.text).toBe(200);
  expect(started.json!.data.status).toBe("succeeded");
  for (const p of PAGES) expect(state.hits.get(`/s9/${p}`), `/s9/${p}`).toBe(1);
  const job = (await state.sql!.query(`SELECT id, status FROM "JobRun" WHERE "fnId" = 'sitemap-forge-generate-sitemap' AND event->'data'->>'runId' = $1`, [started.json!.data.id])).rows;
  expect(job).toHaveLength(1);
  expect(job[0].status).toBe("completed");
  const done = `job run ${String(job[0].id).slice(0, 8)} sitemap-forge-generate-sitemap completed`;
  expect([A(), B()].filter((s) => s.log.some((l) => l.includes(done))), done).toHaveLength(1);
  expect(C().log.filter((l) => / completed$/.test(l) && l.includes("job run"))).toEqual([]); // C executed no job run at all
  await owner.ctx.dispose();
});

test("both instances tick the hourly scheduler; a due hour slot starts its planned run once", async () => {
  test.skip(Boolean(state.skip), state.skip);
  for (const s of [A(), B()]) expect(s.log.some((l) => l.includes("test hook INNGEST_LOCAL_TEST_CRON")), `${s.name} runs the scheduler`).toBe(true);
  const owner = await user(B(), "sched", "enterprise");
  const hour = new Date().getUTCHours();
  const created = await call(A(), owner.key.key, "POST", "/api/v1/sitemaps", {
    name: "scheduled",
    startUrl: `${state.siteOrigin}/sched/`,
    fileName: "sched",
    timezone: "UTC",
    // This hour and the next: a test running across the hour sees two slots, each of which must start one run.
    exportPlan: [hour, (hour + 1) % 24],
  });
  expect(created.status, created.text).toBe(201);
  const id = created.json!.data.id as string;
  // The slot of this hour was claimed by the first tick after start (nothing was planned then): make it due again.
  const since = new Date();
  await state.sql!.query(`DELETE FROM "SchedulerSlot"`);
  const runsOf = async () =>
    (await state.sql!.query(`SELECT "scheduledFor", status FROM "Run" WHERE "sitemapId" = $1 AND trigger = 'schedule'`, [id])).rows as { scheduledFor: Date; status: string }[];
  const end = Date.now() + 60_000;
  while ((await runsOf()).length === 0) {
    if (Date.now() > end) throw new Error(`no scheduled run within 60 s\nA: ${A().log.slice(-15).join("\n")}\nB: ${B().log.slice(-15).join("\n")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // Let both instances tick several more times (every 2 s), then count.
  await new Promise((r) => setTimeout(r, 8_000));
  const runs = await runsOf();
  const perSlot = new Map<string, number>();
  for (const r of runs) perSlot.set(r.scheduledFor.toISOString(), (perSlot.get(r.scheduledFor.toISOString()) ?? 0) + 1);
  expect([...perSlot.values()].every((n) => n === 1), JSON.stringify([...perSlot])).toBe(true);
  const slots = (await state.sql!.query(`SELECT slot, "runsStarted", "finishedAt" FROM "SchedulerSlot" ORDER BY slot`)).rows;
  for (const [slot] of perSlot) expect(slots.find((s) => s.slot.toISOString() === slot)?.runsStarted).toBe(1);
  const ticks = (
    await state.sql!.query(`SELECT count(*)::int AS n FROM "JobRun" WHERE "fnId" = 'sitemap-forge-hourly-scheduler' AND "createdAt" >= $1`, [since])
  ).rows[0].n;
  expect(ticks).toBeGreaterThanOrEqual(4); // several ticks ran after the slot became due; one of them claimed it
  await owner.ctx.dispose();
});
