/**
 * The OpenAPI document's areas beyond the core (lib/api/openapi.ts): each area module exports an `OpenApiArea` with
 * its named zod schemas and its endpoints, and is listed here once. Keeping one module per area lets the sitemaps,
 * URLs, runs, templates, feeds, submission and webhook endpoints be documented next to their own code.
 */
import type { z } from "zod";
import type { Endpoint } from "./openapi-common";
import { AUDIT_AREA } from "./openapi-audit";
import { COMPAT_OPENAPI_AREA } from "./openapi-compat";
import { CORE_V2_AREA } from "./openapi-core-v2";
import { PUBLISH_GUARD_AREA } from "./openapi-publish-guard";
import { SHOP_SUBSHOPS_AREA } from "./openapi-shop-subshops";
import { INVENTORY_AREA } from "./openapi-inventory";
import { SUBMIT_AREA } from "./openapi-submit";
import { TEMPLATES_FEEDS_AREA } from "./openapi-templates-feeds";

export type OpenApiArea = {
  /** #/components/schemas entries: name → [schema, "input" (request body) | "output" (response)]. */
  schemas: Record<string, readonly [z.ZodType, "input" | "output"]>;
  endpoints: Endpoint[];
};

export const OPENAPI_AREAS: OpenApiArea[] = [CORE_V2_AREA, PUBLISH_GUARD_AREA, SUBMIT_AREA, TEMPLATES_FEEDS_AREA, COMPAT_OPENAPI_AREA, AUDIT_AREA, INVENTORY_AREA, SHOP_SUBSHOPS_AREA];
