/**
 * A failed run's cause as the compatibility adapters show it: the failure code and hint of lib/core/run-outcome.ts
 * (the same ones the native run DTO, webhooks, dashboard and CLI show), in each adapter's own shape.
 *
 *   runFailureOf(run)  → { code, message, hint } for a run with status `failed`, else null. A failed run stored without
 *                        a code (e.g. "The job could not be enqueued.") gets `internal_error` and its hint, so every
 *                        failed answer carries a code a client can branch on.
 *   anqiFailureMsg(f)  → AnQiCMS `msg`: "Sitemap更新失败: <code>: <message> <hint>"
 *   msgFailure(run)    → mysitemapgenerator `error` object `{ code, message, hint }` (SitemapsGetInfo), or null
 *   sxFailure(run, id) → Sitemap.xml error object `{ code, message, details, request_id }` (the document's error
 *                        object, `details` holding the hint) for a run that ended without success: a failed run's
 *                        code; `cancelled` or `held` (the run's status) for a cancelled run or one the publish guard
 *                        held (message: its heldReason, details: how to publish it). null for other statuses.
 *   shopFailure(run)   → the shop API's `{ errorCode, errorHint }` strings: "" when the run did not fail (the shop
 *                        document has no null in String fields)
 * Pure: no I/O.
 */
import { RUN_ERROR_CODES } from "@/lib/core/run-outcome";
import type { TRunDto } from "@/lib/schemas/runs";

export type RunFailureView = { code: string; message: string; hint: string };
type RunLike = Pick<TRunDto, "status" | "error" | "errorCode" | "errorHint">;

/** `{ code, message, hint }` of a failed run, or null when the run is absent or not `failed` (module doc). */
export function runFailureOf(run: RunLike | null | undefined): RunFailureView | null {
  if (!run || run.status !== "failed") return null;
  const code = run.errorCode ?? "internal_error";
  const hint = run.errorHint ?? (run.errorCode ? "" : RUN_ERROR_CODES.internal_error.hint());
  return { code, message: run.error ?? "The run failed.", hint };
}

/** AnQiCMS `msg` of a failed run: "Sitemap更新失败: <code>: <message>", then " <hint>" when there is one. */
export const anqiFailureMsg = (f: RunFailureView): string => `Sitemap更新失败: ${f.code}: ${f.message}${f.hint ? ` ${f.hint}` : ""}`;

/** mysitemapgenerator's SitemapsGetInfo `error` object: runFailureOf under the adapter's name. */
export const msgFailure = (run: RunLike | null | undefined): RunFailureView | null => runFailureOf(run);

/** The Sitemap.xml API's error object for a failed, cancelled or held run (module doc), else null. */
export function sxFailure(
  run: (RunLike & Pick<TRunDto, "id" | "heldReason">) | null | undefined,
  requestId: string,
): { code: string; message: string; details: string; request_id: string } | null {
  const f = runFailureOf(run);
  if (f) return { code: f.code, message: f.message, details: f.hint, request_id: requestId };
  if (run?.status === "cancelled") return { code: "cancelled", message: run.error ?? "The run was cancelled.", details: "", request_id: requestId };
  if (run?.status === "held") {
    const details = `The previous files stay served; POST /api/v1/runs/${run.id}/publish publishes this run anyway.`;
    return { code: "held", message: run.heldReason ?? "The publish guard held the run.", details, request_id: requestId };
  }
  return null;
}

/** The shop API's `{ errorCode, errorHint }`: the failed run's code and hint, both "" for a run that did not fail. */
export function shopFailure(run: RunLike | null | undefined): { errorCode: string; errorHint: string } {
  const f = runFailureOf(run);
  return { errorCode: f?.code ?? "", errorHint: f?.hint ?? "" };
}
