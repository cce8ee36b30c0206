/**
 * The local runner's console logger (lib/jobs/*): every line is prefixed `[inngest-local]`.
 * The level comes from `INNGEST_LOCAL_LOG_LEVEL` (silent|error|warn|info|debug); without it the level is `silent`
 * under vitest or NODE_ENV=test, otherwise `info`. Errors: none thrown.
 */
export type JobLogLevel = "silent" | "error" | "warn" | "info" | "debug";
export type JobLogger = Record<Exclude<JobLogLevel, "silent">, (msg: string, ...rest: unknown[]) => void>;

const LEVELS: Record<JobLogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** A console logger at `level` (default: from the environment, see the module doc). */
export function createJobLogger(level?: JobLogLevel): JobLogger {
  const envLevel = process.env.INNGEST_LOCAL_LOG_LEVEL as JobLogLevel | undefined;
  const lvl =
    level ?? (envLevel && envLevel in LEVELS ? envLevel : process.env.VITEST || process.env.NODE_ENV === "test" ? "silent" : "info");
  const make = (l: Exclude<JobLogLevel, "silent">, out: (...a: unknown[]) => void) =>
    LEVELS[l] <= LEVELS[lvl] ? (msg: string, ...rest: unknown[]) => out(`[inngest-local] ${msg}`, ...rest) : () => {};
  return {
    error: make("error", console.error),
    warn: make("warn", console.warn),
    info: make("info", console.log),
    debug: make("debug", console.debug),
  };
}

/** The message of an Error, a string, or the JSON of anything else. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e));

/** The first 8 characters of a job run id, for log lines. */
export const shortId = (id: string): string => id.slice(0, 8);

/**
 * Message prefix of a NonRetriableError whose outcome its function has already recorded and logged itself (a run that
 * failed for a known cause: lib/runs/execute.ts failRun writes the cause and one log line). The SDK's own logger
 * ({@link quietRecorded}) leaves such errors out, so an expected failure is logged once and without a stack trace.
 */
export const RECORDED_PREFIX = "Recorded: ";

/** True when `arg` is, wraps (`err`, `cause`, up to 5 levels) or carries an error with {@link RECORDED_PREFIX}. */
function isRecorded(arg: unknown): boolean {
  let e: unknown = arg && typeof arg === "object" && "err" in arg ? (arg as { err: unknown }).err : arg;
  for (let i = 0; e && typeof e === "object" && i < 5; i++) {
    const msg = (e as { message?: unknown }).message;
    if (typeof msg === "string" && msg.startsWith(RECORDED_PREFIX)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Wraps the Inngest SDK's logger (the client's `logger` option): `error`/`warn` calls about an error whose message
 * starts with {@link RECORDED_PREFIX} are dropped (the SDK logs step and function errors with their stack: "Inngest
 * step error", "Inngest function error"); everything else goes to `base`.
 */
export function quietRecorded<L extends Record<"info" | "warn" | "error" | "debug", (...args: unknown[]) => void>>(base: L): L {
  const quiet = (fn: (...a: unknown[]) => void) => (...args: unknown[]) => (args.some(isRecorded) ? undefined : fn.apply(base, args));
  return Object.assign(Object.create(base) as L, { error: quiet(base.error), warn: quiet(base.warn) });
}
