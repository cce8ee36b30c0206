/** GET /api/v1/feeds: filter and sort fields of the list grammar (lib/api/list-query.ts). */
import type { FeedList } from "@/lib/db/list-models";
import type { ListSpec } from "@/lib/api/list-query";

export const FEED_LIST_SPEC: ListSpec<FeedList> = {
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    number: { type: "int", column: "number" },
    name: { type: "string", column: "name" },
    foundUrl: { type: "string", column: "foundUrl" },
    format: { type: "enum", column: "format", values: ["rss", "atom"] },
    encoding: { type: "enum", column: "encoding", values: ["utf-8", "windows-1251"] },
    active: { type: "boolean", column: "active" },
    status: { type: "enum", column: "status", values: ["idle", "running", "succeeded", "failed"] },
    templateId: { type: "string", column: "templateId", nullable: true, ops: ["eq", "ne", "in"] },
    lastRefreshAt: { type: "date", column: "lastRefreshAt", nullable: true },
    createdAt: { type: "date", column: "createdAt" },
    updatedAt: { type: "date", column: "updatedAt" },
  },
};
