import { noContent } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { revokeApiKey } from "@/lib/db/api-keys";

// DELETE /api/v1/api-keys/{id} – revoke a key (takes effect on its next request); 204, idempotent
export const DELETE = withApiAuth<{ id: string }>(
  async ({ params, principal }) => {
    if (!(await revokeApiKey({ userId: principal.userId, keyId: params.id }))) {
      throw new AppError("not_found", `API key ${params.id} not found.`);
    }
    return noContent();
  },
  { scope: "write", sessionOnly: true },
);

export const { GET, POST, PUT, PATCH } = methodsNotAllowed(["DELETE"]);
