import { buildOpenApi } from "@/lib/api/openapi";
import { methodsNotAllowed, withApi } from "@/lib/api/with-api-auth";

// GET /api/v1/openapi.json – the OpenAPI 3.1 document of this API (public, no authentication)
export const GET = withApi(async () =>
  Response.json(buildOpenApi(), { headers: { "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" } }),
);

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
