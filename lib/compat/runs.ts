/**
 * Starting runs for the compatibility adapters, with the same checks as POST /api/v1/sitemaps/{id}/generate:
 * lib/api/runs.ts assertCredits (403 `quota_exceeded` when the account has no crawl credits left, balance ≤ 0), then
 * lib/runs/request-run.ts requestRun (404 not_found, 422 invalid_value for an unknown sub-scope, 409 conflict when
 * inactive or a run is already queued/running, 503 service_unavailable).
 */
import type { RunTrigger } from "@/lib/db/runs";
import { assertCredits } from "@/lib/api/runs";
import type { Principal } from "@/lib/auth/authenticate";
import { requestRun } from "@/lib/runs/request-run";
import type { TRunDto } from "@/lib/schemas/runs";

export async function startRun(
  principal: Principal,
  sitemapId: string,
  trigger: RunTrigger = "api",
  subScopes?: string[],
): Promise<TRunDto> {
  await assertCredits(principal.userId);
  return requestRun({ sitemapId, userId: principal.userId, trigger, ...(subScopes?.length ? { subScopes } : {}) });
}
