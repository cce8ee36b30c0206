import { readQuery } from "@/lib/api/request";
import { json } from "@/lib/api/response";
import { usageOf } from "@/lib/api/usage";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { ZUsageQuery } from "@/lib/schemas/usage";

// GET /api/v1/usage – plan, today's calls against the daily quota, per-minute limit, plan table, crawl credits,
// per-day history (`?days=1..90`, default 14) and the newest credit ledger entries
export const GET = withApiAuth(
  async ({ req, principal }) => json(await usageOf(principal, readQuery(req, ZUsageQuery).days)),
  { scope: "read" },
);

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
