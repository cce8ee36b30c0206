/**
 * Starting runs for the compatibility adapters, with the same checks as POST /api/v1/sitemaps/{id}/generate:
 * 403 `quota_exceeded` when the account has no crawl credits left (balance ≤ 0), then lib/runs/request-run.ts
 * requestRun (404 not_found, 409 conflict when inactive or a run is already queued/running, 503 service_unavailable).
 */
import type { RunTrigger } from "@/generated/prisma/client";
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { findUserAccount } from "@/lib/db/users";
import { requestRun } from "@/lib/runs/request-run";
import type { TRunDto } from "@/lib/schemas/runs";

export async function startRun(
  principal: Principal,
  sitemapId: string,
  trigger: RunTrigger = "api",
  subScopes?: string[],
): Promise<TRunDto> {
  const account = await findUserAccount(principal.userId);
  if (!account || account.creditBalance <= 0) {
    throw new AppError("quota_exceeded", "No crawl credits left (balance ≤ 0); a run costs 1 credit per 100 pages fetched.");
  }
  return requestRun({ sitemapId, userId: principal.userId, trigger, ...(subScopes?.length ? { subScopes } : {}) });
}
