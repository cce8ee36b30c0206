/**
 * OpenAPI entries of the publish guard (docs/api-core.md, "Publish guard"): publishing a run the guard held. The run's
 * `held` status, `heldReason` and `heldDetail` are part of the Run schema; the sitemap's `publishGuard` of Sitemap.
 */
import type { OpenApiArea } from "./openapi-areas";
import { COMMON, IDEMPOTENCY } from "./openapi-common";

export const PUBLISH_GUARD_AREA: OpenApiArea = {
  schemas: {},
  endpoints: [
    {
      method: "POST",
      path: "/api/v1/runs/{id}/publish",
      summary:
        "Publish a run the publish guard held (status held: it listed fewer than (1 − publishGuard) × the published run's URLs): " +
        "its files are written and served, the run becomes succeeded (webhook run.succeeded). 409 when the run is not held " +
        "(details.status) or a newer run has been published since (details.publishedRunId).",
      access: "generate",
      success: [{ status: 200, description: "The published run (status succeeded).", data: "Run" }],
      errors: [...COMMON, "not_found", "conflict", ...IDEMPOTENCY],
    },
  ],
};
