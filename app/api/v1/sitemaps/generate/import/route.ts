import { json } from "@/lib/api/response";
import { assertCredits, sitemapsAfterImport, startMany } from "@/lib/api/runs";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";

// POST /api/v1/sitemaps/generate/import – start runs (trigger "import") of the caller's active sitemaps marked
// exportAfterImport; 202 {started, skipped}
export const POST = withApiAuth(async ({ principal }) => {
  await assertCredits(principal.userId);
  const r = await startMany(principal.userId, await sitemapsAfterImport(principal.userId), "import", null);
  return json(r, { status: 202 });
}, { scope: "generate" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
