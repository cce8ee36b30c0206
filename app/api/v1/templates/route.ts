import { readListQuery } from "@/lib/api/list-query";
import { readJson } from "@/lib/api/request";
import { json, jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { insertTemplate, listTemplates, toTemplateDto } from "@/lib/db/templates";
import { ZCreateTemplateBody } from "@/lib/schemas/templates";
import { TEMPLATE_LIST_SPEC } from "@/lib/templates/list-spec";

// GET /api/v1/templates – the caller's templates (list grammar: size, cursor, sort, filter)
export const GET = withApiAuth(async ({ req, principal }) => {
  const q = readListQuery(req, TEMPLATE_LIST_SPEC);
  const page = await listTemplates({ userId: principal.userId, q });
  return jsonList(page.rows.map(toTemplateDto), page.nextCursor);
}, { scope: "read" });

// POST /api/v1/templates – create a template (content parsed in the sandbox); 201
export const POST = withApiAuth(async ({ req, principal }) => {
  const body = await readJson(req, ZCreateTemplateBody);
  const dto = toTemplateDto(await insertTemplate({ userId: principal.userId, data: body }));
  return json(dto, { status: 201, headers: { Location: `/api/v1/templates/${dto.id}` } });
}, { scope: "templates" });

export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
