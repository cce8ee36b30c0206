import { json } from "@/lib/api/response";
import { assertCredits, sitemapsDueAt, startMany } from "@/lib/api/runs";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";

// POST /api/v1/sitemaps/generate/hour/{hour} – start the runs of the caller's active sitemaps due in the UTC hour
// {hour}:00–{hour}:59 of today (exportPlan and exportCron in each sitemap's timezone, lib/schedule/due.ts, the
// scheduler's rule); 202 {hour, scheduledFor, started, skipped}.
// {hour} not an integer 0..23 → 404 not_found (as in the shop API)
export const POST = withApiAuth<{ hour: string }>(async ({ params, principal }) => {
  if (!/^\d{1,2}$/.test(params.hour) || Number(params.hour) > 23) {
    throw new AppError("not_found", `No hour ${JSON.stringify(params.hour)}: use 0..23.`);
  }
  const hour = Number(params.hour);
  await assertCredits(principal.userId);
  const slot = new Date();
  slot.setUTCHours(hour, 0, 0, 0);
  const ids = await sitemapsDueAt(principal.userId, slot);
  const r = await startMany(principal.userId, ids, "schedule", slot);
  return json({ hour, scheduledFor: slot.toISOString(), ...r }, { status: 202 });
}, { scope: "generate" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
