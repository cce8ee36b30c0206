/**
 * The Inngest executor ↔ SDK HTTP protocol, as the local runner (lib/jobs/local-runner.ts) speaks it to the app's own
 * `serve()` handlers: pure helpers and shapes, no I/O except `callRoute` (which calls a handler in-process).
 *
 * Names come from the SDK's public entry points wherever it exports them: `headerKeys`, `queryKeys`,
 * `internalEvents` and `durationToMs` from "inngest", `StepOpCode` from "inngest/types"; canonical JSON is the
 * `canonicalize` package (RFC 8785) the SDK itself uses to check signatures. Read from inngest 4.24.0
 * (`components/InngestCommHandler.js` handleAction/runStep, `helpers/net.js`, `helpers/strings.js`) and the Inngest
 * server's HTTP driver (`pkg/execution/driver/httpdriver`, ParseRetry).
 *
 * - Sync: `PUT <url>` with `x-inngest-sync-kind: in_band`, body `{url}` → 200 with `{functions:[FnConfig]}`.
 * - Execute: `POST <url>?fnId=<id>&stepId=step|<hashed step id>` with the body of `executionBody`. No `ctx.fn_id` is
 *   sent, so the SDK stays in plain async mode and never calls the Inngest API to checkpoint.
 * - Answers: 200 (done, body = return value); 206 `[op]` (StepRun, StepError, StepFailed, StepPlanned, Sleep,
 *   RunComplete); 4xx/5xx a function error, not retried when `x-inngest-no-retry: true`. A `retry-after` header
 *   (RetryAfterError: whole seconds, or an ISO date) sets the next attempt's delay (`parseRetryAfter`).
 * - Signing: `x-inngest-signature: t=<unix s>&s=<hex HMAC-SHA256>` (`signBody`).
 *
 * Units: ms and epoch ms unless named otherwise. Errors: listed per function.
 */
import { createHash, createHmac } from "node:crypto";
import canonicalize from "canonicalize";
import { durationToMs, headerKeys, queryKeys } from "inngest";
import { StepOpCode } from "inngest/types";
import { errorMessage } from "./log";
import type { LocalEvent } from "./local-send";

export { headerKeys, queryKeys };

/**
 * The sync kind header value of an in-band sync. The SDK's `syncKind` enum is only in its internal
 * `helpers/consts.js`, which the package's export map does not expose, hence the literal.
 */
export const IN_BAND_SYNC = "in_band";
/** Request body version the runner speaks (the SDK's internal `ExecutionVersion.V2`, not exported either). */
export const EXECUTION_VERSION = 2;

/** Canonical JSON (RFC 8785, the `canonicalize` package the SDK uses): the exact bytes that are signed and sent. */
export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? "null";
}

/**
 * The `x-inngest-signature` header value for a request body (the exact string sent): `t=<unix s>&s=<hex>`, where
 * s = HMAC-SHA256 keyed by the signing key without its `signkey-<env>-` prefix, over `body + t`. The SDK's own signer
 * (`helpers/net.js` signDataWithKey) is internal and async (WebCrypto); this is the same scheme, synchronously.
 */
export function signBody(body: string, signingKey: string, nowMs: number = Date.now()): string {
  const t = Math.floor(nowMs / 1000).toString();
  const key = signingKey.replace(/^signkey-[\w]+-/, "");
  const s = createHmac("sha256", key).update(body + t).digest("hex");
  return `t=${t}&s=${s}`;
}

/**
 * When a `Sleep` op started at `fromMs` ends, in epoch ms. `name` is what the SDK's `timeStr` made of the duration
 * ("1w2d3h4m5s", read with the SDK's `durationToMs`; "" for a zero sleep) or an ISO date (sleepUntil).
 * Throws Error for anything else.
 */
export function sleepWakeAt(name: string, fromMs: number = Date.now()): number {
  if (name === "") return fromMs;
  if (/^\d{4}-\d{2}-\d{2}T/.test(name)) {
    const t = Date.parse(name);
    if (Number.isNaN(t)) throw new Error(`invalid sleep date "${name}"`);
    return t;
  }
  try {
    return fromMs + durationToMs(name, { name: "sleep" });
  } catch (err) {
    throw new Error(`invalid sleep duration "${name}": ${errorMessage(err)}`);
  }
}

/** The Inngest server's bounds on a `retry-after` delay (httpdriver ParseRetry: consts.MinRetryDuration / Max…). */
export const MIN_RETRY_AFTER_MS = 1000;
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * Reads the `retry-after` header (`headerKeys.RetryAfter`) of an SDK answer, as the Inngest server does: a value of
 * at most 7 characters that is a positive whole number is seconds; other digit strings are unreadable; anything else
 * is a date (ISO 8601, as RetryAfterError sends for a Date, or an HTTP date). The delay is clamped to [1 s, 24 h]. Returns the delay in ms,
 * or undefined when the header is absent or unreadable (the runner's back-off applies then).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  let delay: number | undefined;
  if (/^\d+$/.test(v)) {
    if (v.length <= 7 && Number(v) > 0) delay = Number(v) * 1000;
  } else {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) delay = t - nowMs;
  }
  return delay === undefined ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_AFTER_MS, delay));
}

/** Reads a dotted path (`event.data.sitemapId`) from `root`. */
export function readPath(root: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), root);
}

/** A dotted event path (`event.data.x`): the only concurrency key form the runner evaluates. */
export const EVENT_PATH_RE = /^event(?:\.[A-Za-z_$][\w$]*)+$/;

/**
 * Compiles the supported subset of Inngest trigger expressions: clauses `event.<path> == <literal>` or `!=`, joined by
 * `&&`. Literals are 'single' or "double" quoted strings, numbers, true, false or null. Returns null for anything else.
 */
export function compileExpression(expr: string): ((event: LocalEvent) => boolean) | null {
  const clauses = expr.split("&&").map((c) => c.trim());
  const tests: ((event: LocalEvent) => boolean)[] = [];
  for (const clause of clauses) {
    const m = clause.match(/^(event(?:\.[A-Za-z_$][\w$]*)+)\s*(==|!=)\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)$/);
    if (!m) return null;
    const [, path, op, lit] = m;
    const literal: unknown = lit.startsWith("'") || lit.startsWith('"') ? lit.slice(1, -1).replace(/\\(.)/g, "$1") : JSON.parse(lit);
    tests.push((event) => {
      const v = readPath({ event }, path);
      return op === "==" ? v === literal : v !== literal;
    });
  }
  return (event) => tests.every((t) => t(event));
}

/** The JobRun id of function `fnId` for event `eventId`: a deterministic 32-hex id, so a repeated event id starts nothing. */
export function jobRunIdFor(fnId: string, eventId: string): string {
  return createHash("sha256").update(`${fnId}\n${eventId}`).digest("hex").slice(0, 32);
}

// ---- registration shapes ---------------------------------------------------------------------------------------

export type FnTrigger = { event?: string; expression?: string; cron?: string };
export type ConcurrencyConfig = { limit: number; key?: string; scope?: "fn" | "env" | "account" };
/** A function as the in-band sync registers it (the fields the runner uses). */
export type FnConfig = {
  id: string;
  name?: string;
  triggers: FnTrigger[];
  steps: Record<string, { retries?: { attempts?: number } }>;
  concurrency?: number | ConcurrencyConfig | (number | ConcurrencyConfig)[];
};

/** The Inngest server's default when a function sets no `retries` (the sync then omits it): 4 retries. */
export const DEFAULT_RETRIES = 4;

/** The first concurrency limit of a function, or undefined when it has none. */
export function concurrencyOf(fn: FnConfig): ConcurrencyConfig | undefined {
  const first = Array.isArray(fn.concurrency) ? fn.concurrency[0] : fn.concurrency;
  const c = typeof first === "number" ? { limit: first } : first;
  return c && typeof c.limit === "number" && c.limit > 0 ? c : undefined;
}

// ---- execution shapes ------------------------------------------------------------------------------------------

/** A memoised step result, keyed by hashed step id in the request's `steps`. */
export type StepRecord = { type: "data"; data: unknown } | { type: "error"; error: unknown };
/** An op of a 206 answer. */
export type Op = { op: string; id: string; name?: string; displayName?: string; data?: unknown; error?: unknown; opts?: unknown };

/** Steps per job run before the runner gives up (Inngest's default limit is 1,000). */
export const MAX_STEPS = 1000;
/** Ops that report a step the SDK ran in this request. */
export const RAN_OPS: ReadonlySet<string> = new Set([StepOpCode.StepRun, StepOpCode.StepError, StepOpCode.StepFailed]);
export const KNOWN_OPS: ReadonlySet<string> = new Set([...RAN_OPS, StepOpCode.StepPlanned, StepOpCode.Sleep, StepOpCode.RunComplete]);
/** Ops the runner logs and otherwise ignores (defer is not modelled locally). */
export const IGNORED_OPS: ReadonlySet<string> = new Set([StepOpCode.DeferAdd, StepOpCode.DeferAbort]);
export { StepOpCode };

/** What the runner knows of a job run when it calls the SDK. */
export type ExecutionState = {
  id: string;
  event: LocalEvent;
  steps: Record<string, StepRecord>;
  stack: string[];
  attempt: number;
  maxAttempts: number;
};

/** The POST body of an execution request (protocol version 2). */
export function executionBody(s: ExecutionState) {
  return {
    event: s.event,
    events: [s.event],
    steps: s.steps,
    version: EXECUTION_VERSION,
    ctx: {
      run_id: s.id,
      attempt: s.attempt,
      max_attempts: s.maxAttempts,
      disable_immediate_execution: false,
      use_api: false,
      stack: { stack: s.stack, current: s.stack.length - 1 },
    },
  };
}

/** An error as JSON `{name, message, …}`, whatever the SDK answered. */
export const asJsonError = (e: unknown): Record<string, unknown> =>
  e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string"
    ? (e as Record<string, unknown>)
    : { name: "Error", message: typeof e === "string" ? e : (JSON.stringify(e) ?? "Unknown error") };

// ---- calling the route -----------------------------------------------------------------------------------------

export type RouteHandler = (req: Request) => Promise<Response>;
// `json` is whatever the SDK answered (op codes, step data, errors); callers narrow it by status and op code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CallResult = { status: number; headers: Headers; json: any };

/**
 * Calls `handler` with a `method` request to `url` + `query`, the canonical JSON of `body`, signed with `signingKey`
 * when given. Never throws: a handler that throws is answered as a 500 with the error.
 */
export async function callRoute(opts: {
  handler: RouteHandler;
  method: "PUT" | "POST";
  url: string;
  query?: Record<string, string>;
  body: unknown;
  signingKey?: string;
  headers?: Record<string, string>;
}): Promise<CallResult> {
  const url = new URL(opts.url);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const raw = canonicalJson(opts.body);
  const headers: Record<string, string> = { [headerKeys.ContentType]: "application/json", ...opts.headers };
  if (opts.signingKey) headers[headerKeys.Signature] = signBody(raw, opts.signingKey);
  try {
    const res = await opts.handler(new Request(url, { method: opts.method, body: raw, headers }));
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* keep the text */
    }
    return { status: res.status, headers: res.headers, json: parsed };
  } catch (err) {
    return { status: 500, headers: new Headers(), json: { name: "Error", message: `serve handler threw: ${errorMessage(err)}` } };
  }
}

/** Executes `state` at `stepId` ("step" or a hashed step id) of function `fnId`. */
export function postExecution(opts: { handler: RouteHandler; url: string; signingKey?: string; fnId: string; stepId: string; state: ExecutionState }) {
  return callRoute({
    handler: opts.handler,
    method: "POST",
    url: opts.url,
    query: { [queryKeys.FnId]: opts.fnId, [queryKeys.StepId]: opts.stepId },
    body: executionBody(opts.state),
    signingKey: opts.signingKey,
  });
}
