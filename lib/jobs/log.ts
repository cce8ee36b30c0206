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
