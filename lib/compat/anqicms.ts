/**
 * AnQiCMS "manual sitemap update" adapter (its API document; docs/compat.md):
 *
 *   POST /api/import/sitemap?token=<API key>      multipart/form-data or x-www-form-urlencoded (or no body);
 *                                                 `Authorization: Bearer <key>` is accepted instead of ?token=
 *     async    ""/absent/"0" = synchronous (wait for the run), "1"/"true" = asynchronous (answer at once)
 *     sitemap  optional (our extension, also accepted in the query): which sitemap — its id, number or fileName.
 *              Without it: the account's oldest active sitemap (an AnQiCMS site has exactly one sitemap).
 *
 * Answers are always HTTP 200 with `{ code, msg, data? }` (AnQiCMS clients read `code`, not the status):
 *   0     sync  "Sitemap更新完成"                    the run succeeded: the connection is held until the sitemap is
 *                                                    regenerated, at most syncWaitMs() (ANQICMS_SYNC_WAIT_SECONDS,
 *                                                    default 900 s = 15 min)
 *   0     async "已提交后台处理,请稍后查看结果"      the run was queued
 *   -1    sync past the bound: "Sitemap仍在生成中…"  never code 0 while the run is still going (data.status says
 *                                                    queued or running; the run goes on)
 *   -1    "Token验证失败"                            a token was sent but is not a valid, unrevoked API key (the
 *                                                    document's own error example)
 *   -1    sync, the run failed: "Sitemap更新失败: <code>: <message> <hint>" (lib/core/run-outcome.ts code and hint,
 *         also in data.error_code / data.error_hint; lib/compat/run-failure.ts)
 *   -1    any other error, reason in msg (no sitemap, inactive, no credits, rate limit, …)
 * A trigger while a run is active is not lost: exactly one follow-up run is queued after the active one
 * (lib/runs/follow-up.ts); async answers code 0 at once (data.status "follow_up_queued", data.after_run_id), sync
 * waits for the active run and then for the follow-up, within the same bound.
 *   1001  "未登录"                                  no token at all (Not logged in)
 *   1002  "未授权"                                  the key lacks the `generate` scope (Not authorized)
 * `data` (AnQiCMS: "result content") carries `{ sitemap_id, run_id, status }` so a client can follow the run on
 * /api/v1/runs/{run_id}. Everything else — limits, credits, the run itself — is the native core's.
 */
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { getEnv } from "@/lib/env";
import { waitForRun } from "@/lib/runs/wait";
import type { TRunDto } from "@/lib/schemas/runs";
import { readForm, withBody, type Credential, type FormFields, type NativeError } from "./http";
import { resolveSitemapRef } from "@/lib/db/numbers";
import { runCreatedAfter } from "@/lib/db/runs";
import { anqiFailureMsg, runFailureOf } from "./run-failure";
import { startRunOrFollowUp } from "./runs";

export const ANQI_MSG = {
  syncDone: "Sitemap更新完成",
  queued: "已提交后台处理,请稍后查看结果",
  tokenFailed: "Token验证失败",
  notLoggedIn: "未登录",
  notAuthorized: "未授权",
  stillRunning: "Sitemap仍在生成中,超过同步等待上限;请稍后查看结果或使用异步模式 (async=1)",
} as const;

/** How long a synchronous call holds the connection waiting for its run (ms): ANQICMS_SYNC_WAIT_SECONDS, default 900. */
export const syncWaitMs = (): number => (getEnv().ANQICMS_SYNC_WAIT_SECONDS ?? 900) * 1000;

export type AnqiReply = { code: number; msg: string; data?: Record<string, unknown> };
/**
 * An AnQiCMS answer: the `{ code, msg, data? }` body as JSON, HTTP 200 unless `init` says otherwise (clients read
 * `code`).
 */
export const anqiReply = (r: AnqiReply, init?: ResponseInit) => Response.json(r, { status: 200, ...init });

/** The token from `?token=`, the form fields; the body is re-attached for the native wrapper. */
export async function anqiCredential(req: Request): Promise<Credential<FormFields>> {
  const url = new URL(req.url);
  const { fields, bytes } = await readForm(req);
  if (fields.sitemap === undefined && url.searchParams.has("sitemap")) fields.sitemap = url.searchParams.get("sitemap")!;
  // The query-string token is what AnQiCMS clients send (it ends up in access logs); `Authorization: Bearer` works too.
  const bearer = /^Bearer +(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "")?.[1] ?? null;
  return { token: url.searchParams.get("token") ?? bearer, req: withBody(req, bytes), input: fields };
}

/** Native error → `{code,msg}` (see the module doc for the table). */
export function anqiTranslate(err: NativeError, _status: number, info: { hadToken: boolean }): Response {
  if (err.code === "unauthorized") return anqiReply(info.hadToken ? { code: -1, msg: ANQI_MSG.tokenFailed } : { code: 1001, msg: ANQI_MSG.notLoggedIn });
  if (err.code === "forbidden") return anqiReply({ code: 1002, msg: `${ANQI_MSG.notAuthorized}: ${err.message}` });
  return anqiReply({ code: -1, msg: err.message, data: { error: err.code, request_id: err.request_id } });
}

function parseAsync(raw: string | undefined): boolean {
  const v = (raw ?? "").trim().toLowerCase();
  if (v === "" || v === "0" || v === "false") return false;
  if (v === "1" || v === "true") return true;
  throw new AppError("invalid_value", 'async must be blank (synchronous) or 1 (asynchronous).', { field: "async" });
}

const runData = (run: Pick<TRunDto, "id" | "sitemapId" | "status" | "error">) => ({
  sitemap_id: run.sitemapId,
  run_id: run.id,
  status: run.status,
  ...(run.error ? { error: run.error } : {}),
});

/** The handler: resolve the sitemap, start a run, then answer at once (async) or after the run (sync, bounded). */
export async function anqiUpdateSitemap(principal: Principal, fields: FormFields, waitMs = syncWaitMs()): Promise<Response> {
  const isAsync = parseAsync(fields.async);
  const sitemapId = await resolveSitemapRef(principal.userId, fields.sitemap);
  if (!sitemapId) {
    throw new AppError(
      "not_found",
      fields.sitemap ? `Sitemap "${fields.sitemap}" not found.` : "This account has no active sitemap to update; create one first.",
    );
  }
  const deadline = Date.now() + waitMs;
  const started = await startRunOrFollowUp(principal, sitemapId, "api");
  const followUpData = (after: string) => ({ sitemap_id: sitemapId, run_id: null, status: "follow_up_queued", after_run_id: after });
  if (isAsync) return anqiReply({ code: 0, msg: ANQI_MSG.queued, data: started.run ? runData(started.run) : followUpData(started.followUpOf) });
  let runId = started.run?.id;
  if (!runId) {
    // Sync: first the active run, then the follow-up that starts when it ends.
    const active = await waitForRun(started.followUpOf!, deadline - Date.now());
    if (active.status === "queued" || active.status === "running") {
      return anqiReply({ code: -1, msg: ANQI_MSG.stillRunning, data: followUpData(active.id) });
    }
    const next = await runCreatedAfter(sitemapId, new Date(active.createdAt));
    if (!next) return anqiReply({ code: -1, msg: "Sitemap更新失败: the follow-up run could not start (is the sitemap inactive?)", data: followUpData(active.id) });
    runId = next.id;
  }
  const final = await waitForRun(runId, Math.max(0, deadline - Date.now()));
  if (final.status === "queued" || final.status === "running") {
    // Past the bound: not code 0, which would say the sitemap is regenerated while it is not.
    return anqiReply({ code: -1, msg: ANQI_MSG.stillRunning, data: runData(final) });
  }
  if (final.status === "succeeded") return anqiReply({ code: 0, msg: ANQI_MSG.syncDone, data: runData(final) });
  const failure = runFailureOf(final);
  if (failure) return anqiReply({ code: -1, msg: anqiFailureMsg(failure), data: { ...runData(final), error_code: failure.code, error_hint: failure.hint } });
  return anqiReply({ code: -1, msg: `Sitemap更新失败: ${final.error ?? final.heldReason ?? final.status}`, data: runData(final) });
}
