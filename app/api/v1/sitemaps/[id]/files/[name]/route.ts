import { fileResponse } from "@/lib/api/files";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { openPublishedFile } from "@/lib/db/files";

// GET /api/v1/sitemaps/{id}/files/{name} – download a published file of one of your sitemaps
export const GET = withApiAuth<{ id: string; name: string }>(async ({ req, params, principal }) => {
  const file = await openPublishedFile({ sitemapId: params.id, name: params.name, userId: principal.userId });
  if (!file) throw new AppError("not_found", `File ${params.name} not found.`);
  return fileResponse(req, file, "private, no-cache");
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
