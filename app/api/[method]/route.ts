import { compatRoute, methodNotAllowed } from "@/lib/compat/http";
import { msgCall, msgCredential, msgPerMinute, msgTranslate } from "@/lib/compat/mysitemapgenerator";

// POST /api/{METHOD}?format=json – mysitemapgenerator-compatible API (api_key as a POST field)
export const POST = compatRoute<{ method: string }, Awaited<ReturnType<typeof msgCredential>>["input"]>({
  credential: msgCredential,
  scope: "read",
  translate: msgTranslate,
  perMinute: msgPerMinute,
  handler: async ({ principal, input }) => msgCall(principal, input),
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"], msgTranslate);
