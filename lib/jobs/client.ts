/**
 * The Inngest client of Sitemap Forge (`inngest` 4.24.0). Function ids are `<app id>-<fn id>`, e.g.
 * `sitemap-forge-generate-sitemap`.
 *
 * Mode, read once at module load from `INNGEST_MODE`:
 * - `local` (default): jobs run in this process, driven by the embedded runner (lib/jobs/local-runner.ts, started from
 *   instrumentation.ts). `inngest.send()`/`step.sendEvent` go to that runner through `LocalSendMiddleware`; no network.
 * - `inngest`: a real Inngest server drives the jobs. The SDK reads its usual variables: Inngest Cloud with
 *   `INNGEST_SIGNING_KEY` + `INNGEST_EVENT_KEY`; a self-hosted `inngest start` with `INNGEST_BASE_URL` (and keys);
 *   the dev server with `INNGEST_DEV=1` (`npx inngest-cli dev -u http://localhost:3000/api/inngest`).
 *
 * Local mode secures /api/inngest with a signing key, not with dev mode. The SDK checks signatures only when the client
 * is in "cloud" mode: `InngestCommHandler.validateSignature` returns success for every request when `mode !== "cloud"`.
 * A dev-mode client would therefore let anyone who can reach the route run functions. So in local mode the client is a
 * cloud-mode client (`isDev: false`). Its signing key is `INNGEST_SIGNING_KEY` when set; otherwise it is a random key
 * made once per process (`signkey-local-<64 hex>`, kept on globalThis so every bundle of this module agrees). The key
 * never leaves the process, and the runner signs each request with it. The event key is a placeholder
 * (`LOCAL_EVENT_KEY`): cloud mode refuses to send without one, and the middleware answers before any HTTP request.
 * The route also sets `enableUnauthedSync: false` in local mode, so an unsigned PUT gets 401 and cannot make the app
 * POST a registration to api.inngest.com.
 *
 * Errors: throws at import when INNGEST_MODE is set to anything but `local` or `inngest`.
 */
import { randomBytes } from "node:crypto";
import { ConsoleLogger, Inngest } from "inngest";
import { quietRecorded } from "./log";
import { LocalSendMiddleware } from "./local-send";

export const APP_ID = "sitemap-forge";

export type InngestMode = "local" | "inngest";

/** Parses INNGEST_MODE (empty → `local`). Throws Error for any other value. */
export function readInngestMode(env: NodeJS.ProcessEnv = process.env): InngestMode {
  const raw = env.INNGEST_MODE?.trim().toLowerCase() || "local";
  if (raw !== "local" && raw !== "inngest") {
    throw new Error(`INNGEST_MODE must be "local" or "inngest", got "${env.INNGEST_MODE}"`);
  }
  return raw;
}

/** The mode of this process, fixed at module load. */
export const INNGEST_MODE: InngestMode = readInngestMode();
export const isLocalMode = INNGEST_MODE === "local";

/** Placeholder event key of local mode: never sent anywhere (the middleware answers before HTTP). */
export const LOCAL_EVENT_KEY = "local-mode-events-stay-in-process";

const keyHolder: { key?: string } = ((globalThis as typeof globalThis & { __sitemapForgeInngestKey?: { key?: string } }).__sitemapForgeInngestKey ??= {});

/**
 * The signing key that local mode uses for /api/inngest: `INNGEST_SIGNING_KEY` if set, otherwise a random
 * `signkey-local-<64 hex>` made on first call and stable for the life of the process.
 */
export function localSigningKey(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.INNGEST_SIGNING_KEY?.trim();
  if (fromEnv) return fromEnv;
  return (keyHolder.key ??= `signkey-local-${randomBytes(32).toString("hex")}`);
}

export const inngest = new Inngest({
  id: APP_ID,
  // Failures a function records and logs itself (a run's known cause) are not logged again by the SDK with a stack.
  logger: quietRecorded(new ConsoleLogger()),
  ...(isLocalMode
    ? { isDev: false, signingKey: localSigningKey(), eventKey: LOCAL_EVENT_KEY, middleware: [LocalSendMiddleware] }
    : {}),
});
