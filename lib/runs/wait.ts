/**
 * Waiting for a run to end (the synchronous `?wait=SECONDS` of POST /api/v1/sitemaps/{id}/generate, and AnQiCMS's
 * sync mode in the compatibility adapter).
 *
 *   waitForRun(runId, timeoutMs) → the run (TRunDto) as soon as its status is final (succeeded, failed,
 *   cancelled, held), or as it is when `timeoutMs` (milliseconds, ≥ 0) has passed (status queued or running).
 *
 * Polls the Run row (every `pollMs`, default 250 ms, at most until the deadline): works the same whether the job
 * runs in this process (local runner) or elsewhere (Inngest), with no notification channel to lose.
 * Errors: AppError not_found when the run does not exist (or was deleted with its sitemap while waiting).
 */
import { AppError } from "@/lib/core/errors";
import { getRun, toRunDto } from "@/lib/db/runs";
import type { TRunDto } from "@/lib/schemas/runs";

/** Statuses a run never leaves by itself (a `held` run changes only when POST /api/v1/runs/{id}/publish publishes it). */
export const FINAL_RUN_STATUSES = ["succeeded", "failed", "cancelled", "held"] as const;

/**
 * Polls the run until its status is final or `timeoutMs` (ms) has passed, and returns its DTO (module doc). Throws
 * AppError 404 `not_found`.
 */
export async function waitForRun(runId: string, timeoutMs: number, opts: { pollMs?: number } = {}): Promise<TRunDto> {
  const pollMs = Math.max(10, opts.pollMs ?? 250);
  const deadline = Date.now() + Math.max(0, timeoutMs);
  for (;;) {
    const run = await getRun(runId);
    if (!run) throw new AppError("not_found", `Run ${runId} not found.`);
    const left = deadline - Date.now();
    if ((FINAL_RUN_STATUSES as readonly string[]).includes(run.status) || left <= 0) return toRunDto(run);
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}
