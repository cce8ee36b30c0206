/** GET /api/v1/templates: filter and sort fields of the list grammar (lib/api/list-query.ts). */
import type { TemplateList } from "@/lib/db/list-models";
import type { ListSpec } from "@/lib/api/list-query";
import { TEMPLATE_KINDS } from "./sandbox";

export const TEMPLATE_LIST_SPEC: ListSpec<TemplateList> = {
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    number: { type: "int", column: "number" },
    name: { type: "string", column: "name" },
    kind: { type: "enum", column: "kind", values: TEMPLATE_KINDS },
    version: { type: "int", column: "version" },
    createdAt: { type: "date", column: "createdAt" },
    updatedAt: { type: "date", column: "updatedAt" },
  },
};

/** Kept here too: lib/compat imports it from this module. */
export { FEED_LIST_SPEC } from "@/lib/feeds/list-spec";
