/**
 * Runs endpoints' shared parts: the list spec of GET /api/v1/runs, the credit check before starting runs, publishing
 * a run the publish guard held (`publishRunAnyway`), and
 * starting several sitemaps' runs at once (POST /api/v1/sitemaps/generate/hour/{hour} and …/generate/import).
 *
 * Hour plans: `{hour}` is an hour of the current UTC day (0..23); a sitemap is due when its plan (exportPlan hours
 * and exportCron, in its own `timezone`) fires in the UTC hour slot [<today>T<hour>:00Z, + 1 h): lib/schedule/due.ts
 * `isDueInSlot`, the rule the hourly scheduler uses too (a plan of [3] in Europe/Berlin is due at hour 1 UTC in summer
 * and hour 2 in winter; [14] in Asia/Kolkata, 08:30 UTC, at hour 8). Runs started this way have trigger "schedule"
 * and scheduledFor = that UTC instant.
 */
import { getRunForUser, publishedRunSummary, type RunTrigger } from "@/lib/db/runs";
import { publishHeldRun } from "@/lib/runs/execute";
import { AppError } from "@/lib/core/errors";
import { listPlannedSitemaps, sitemapIdsWhere } from "@/lib/db/sitemaps";
import { findUserAccount } from "@/lib/db/users";
import { requestRun } from "@/lib/runs/request-run";
import { isDueInSlot } from "@/lib/schedule/due";
import { CHANGE_KINDS, RUN_STATUSES, RUN_TRIGGERS, type TRunDto } from "@/lib/schemas/runs";
import type { RunChangeList, RunList } from "@/lib/db/list-models";
import { ListQueryError, parseListQuery, type ListQuery, type ListSpec } from "./list-query";

export const RUN_LIST_SPEC: ListSpec<RunList> = {
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    number: { type: "int", column: "number" },
    sitemapId: { type: "string", column: "sitemapId", ops: ["eq", "ne", "in"] },
    status: { type: "enum", column: "status", values: RUN_STATUSES },
    trigger: { type: "enum", column: "trigger", values: RUN_TRIGGERS },
    createdAt: { type: "date", column: "createdAt" },
    startedAt: { type: "date", column: "startedAt", nullable: true },
    finishedAt: { type: "date", column: "finishedAt", nullable: true },
  },
};

/**
 * GET /api/v1/runs/{id}/changes: URL order by default; `url` is unique within a run, so it is its own tie-breaker.
 * `?kind=` is kept as a shorthand of `filter[kind]=` (lib/api/runs.ts changesQuery).
 */
export const RUN_CHANGE_LIST_SPEC: ListSpec<RunChangeList> = {
  defaultSort: { field: "url", dir: "asc" },
  idColumn: "url",
  fields: {
    url: { type: "string", column: "url" },
    kind: { type: "enum", column: "kind", values: CHANGE_KINDS },
  },
};

/**
 * The list query of GET /api/v1/runs/{id}/changes: the list grammar, plus `?kind=added|removed|changed` as a
 * shorthand of `filter[kind]=` (the endpoint's original parameter). Throws ListQueryError (400) like the grammar.
 */
export function changesQuery(req: Request): ListQuery<RunChangeList> {
  const params = new URL(req.url).searchParams;
  const kind = params.get("kind");
  if (kind !== null) {
    if (!(CHANGE_KINDS as readonly string[]).includes(kind)) throw new ListQueryError("invalid_value", `\`kind\` must be one of ${CHANGE_KINDS.join(", ")}.`, "kind");
    params.delete("kind");
    params.append("filter[kind]", kind);
  }
  return parseListQuery(params, RUN_CHANGE_LIST_SPEC);
}

/**
 * POST /api/v1/runs/{id}/publish: publishes a run the publish guard held (lib/runs/execute.ts publishHeldRun) and
 * returns it (status succeeded). Errors: 404 not_found (no such run of the caller's); 409 conflict when the run is not
 * held (`details.status`), or when a newer run has been published since (`details.publishedRunId`: publishing the
 * older, smaller run would replace newer files), or when a concurrent request is publishing it.
 */
export async function publishRunAnyway(opts: { runId: string; userId: string }): Promise<TRunDto> {
  const run = await getRunForUser(opts);
  if (!run) throw new AppError("not_found", `Run ${opts.runId} not found.`);
  if (run.status !== "held") {
    throw new AppError("conflict", `Run ${run.id} is ${run.status}, not held; only a run held by the publish guard can be published.`, {
      details: { status: run.status },
    });
  }
  const published = await publishedRunSummary(run.sitemapId);
  if (published && published.runId !== run.id && published.createdAt > new Date(run.createdAt)) {
    throw new AppError("conflict", `A newer run (${published.runId}) is published; run ${run.id} is superseded.`, {
      details: { publishedRunId: published.runId },
    });
  }
  if ((await publishHeldRun(run.id)) === false) {
    throw new AppError("conflict", `Run ${run.id} is being published by another request or is no longer held.`);
  }
  return (await getRunForUser(opts))!;
}

/** 403 quota_exceeded when the account has no crawl credits left (balance ≤ 0). */
export async function assertCredits(userId: string): Promise<void> {
  const account = await findUserAccount(userId);
  if (!account || account.creditBalance <= 0) {
    throw new AppError("quota_exceeded", "No crawl credits left (balance ≤ 0); a run costs 1 credit per 100 pages fetched.");
  }
}

/** The hour (0..23) that instant `at` shows on a clock in IANA zone `timeZone`. */
export function localHour(at: Date, timeZone: string): number {
  const h = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(at);
  return Number(h) % 24;
}

export type Skipped = { sitemapId: string; reason: "already_running" | "inactive" | "not_found" | "unavailable"; activeRunId?: string | null; message: string };
export type BatchResult = { started: TRunDto[]; skipped: Skipped[] };

/** Starts a run for each sitemap id; a refusal is recorded in `skipped` with its reason instead of failing the batch. */
export async function startMany(userId: string, sitemapIds: string[], trigger: RunTrigger, scheduledFor: Date | null): Promise<BatchResult> {
  const started: TRunDto[] = [];
  const skipped: Skipped[] = [];
  for (const sitemapId of sitemapIds) {
    try {
      started.push(await requestRun({ sitemapId, userId, trigger, scheduledFor }));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const reason: Skipped["reason"] =
        err.code === "conflict" ? (err.details?.activeRunId !== undefined ? "already_running" : "inactive") : err.code === "not_found" ? "not_found" : "unavailable";
      skipped.push({ sitemapId, reason, ...(reason === "already_running" ? { activeRunId: (err.details?.activeRunId as string | null) ?? null } : {}), message: err.message });
    }
  }
  return { started, skipped };
}

/** The caller's active sitemaps due in the UTC hour slot of `slot` (see module doc), oldest first. */
export async function sitemapsDueAt(userId: string, slot: Date): Promise<string[]> {
  const rows = await listPlannedSitemaps({ userId, order: "created" });
  return rows.filter((r) => isDueInSlot(r, slot)).map((r) => r.id);
}

/** The caller's active sitemaps marked exportAfterImport, oldest first. */
export async function sitemapsAfterImport(userId: string): Promise<string[]> {
  return sitemapIdsWhere(userId, { active: true, exportAfterImport: true });
}
