/**
 * Starting runs for the compatibility adapters, with the same checks as POST /api/v1/sitemaps/{id}/generate:
 * lib/api/runs.ts assertCredits (403 `quota_exceeded` when the account has no crawl credits left, balance ≤ 0), then
 * lib/runs/request-run.ts requestRun (404 not_found, 422 invalid_value for an unknown sub-scope, 409 conflict when
 * inactive or a run is already queued/running, 503 service_unavailable).
 */
import type { RunTrigger } from "@/lib/db/runs";
import { assertCredits } from "@/lib/api/runs";
import type { Principal } from "@/lib/auth/authenticate";
import { requestRunOrFollowUp, type RunOrFollowUp } from "@/lib/runs/follow-up";
import { requestRun } from "@/lib/runs/request-run";
import type { TRunDto } from "@/lib/schemas/runs";

/**
 * Requests a run of `sitemapId` for the principal's account (`trigger` default "api"; `subScopes` only when
 * non-empty) after the credit check, and returns the run's DTO. Throws the AppErrors listed in the module doc.
 */
export async function startRun(
  principal: Principal,
  sitemapId: string,
  trigger: RunTrigger = "api",
  subScopes?: string[],
): Promise<TRunDto> {
  await assertCredits(principal.userId);
  return requestRun({ sitemapId, userId: principal.userId, trigger, ...(subScopes?.length ? { subScopes } : {}) });
}

/**
 * startRun, but a run requested while another is active is not refused: one follow-up run is queued after the active
 * one (lib/runs/follow-up.ts). Same credit check first.
 */
export async function startRunOrFollowUp(principal: Principal, sitemapId: string, trigger: RunTrigger = "api"): Promise<RunOrFollowUp> {
  await assertCredits(principal.userId);
  return requestRunOrFollowUp({ sitemapId, userId: principal.userId, trigger });
}
