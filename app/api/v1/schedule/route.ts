import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { scheduleOverview } from "@/lib/schedule/hourly";

// GET /api/v1/schedule – the caller's planned sitemaps with their next run (UTC), the last 48 scheduler slots and the
// missed slots of the last 30 days (hours the scheduler did not run, e.g. during downtime)
export const GET = withApiAuth(async ({ principal }) => json(await scheduleOverview(principal.userId)), { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
