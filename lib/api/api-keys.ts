/** GET /api/v1/api-keys: filter and sort fields of the list grammar (lib/api/list-query.ts); default newest first. */
import type { ApiKeyList } from "@/lib/db/list-models";
import type { ListSpec } from "./list-query";

export const API_KEY_LIST_SPEC: ListSpec<ApiKeyList> = {
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    name: { type: "string", column: "name" },
    createdAt: { type: "date", column: "createdAt" },
    lastUsedAt: { type: "date", column: "lastUsedAt", nullable: true },
    revokedAt: { type: "date", column: "revokedAt", nullable: true },
  },
};
