/**
 * The shop API's generation resource: POST sitemaps/{id}/generate (one sitemap, optionally some subshops),
 * POST sitemaps/generate/hour/{hour} (the hour plan), POST sitemaps/generate/import (exportAfterImport sitemaps).
 * Answers 202 with the started runs as protocol ids. Errors: ShopError (404 bad hour or sitemap, 503 queue down),
 * AppError from the credit check.
 */
import { assertCredits, sitemapsAfterImport, sitemapsDueAt, startMany, type BatchResult } from "@/lib/api/runs";
import type { Principal } from "@/lib/auth/authenticate";
import { sitemapNumbers } from "@/lib/db/numbers";
import { startRun } from "./runs";
import { ShopError, shopId } from "./shop-http";
import { sitemapIdOf } from "./shop-sitemaps";

/** POST sitemaps/{id}/generate[?subshopId=…]: starts a run (restricted to those sub-scopes) → 202. */
export async function generateShopSitemap(principal: Principal, rawId: string, req: Request): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const subshops = new URL(req.url).searchParams.getAll("subshopId").map((s) => s.trim().toLowerCase());
  const run = await startRun(principal, id, "api", subshops);
  return Response.json({ id: shopId(rawId), protocolId: run.number, exportStatus: 3 }, { status: 202, headers: { Location: `/api/v1/runs/${run.id}` } });
}

async function batchAnswer(principal: Principal, r: BatchResult, extra: Record<string, unknown>): Promise<Response> {
  if (r.started.length === 0 && r.skipped.length > 0 && r.skipped.every((s) => s.reason === "unavailable")) {
    throw new ShopError(503, "serviceUnavailable", "The generation failed: the job queue is unavailable.");
  }
  const numbers = await sitemapNumbers([...r.started.map((x) => x.sitemapId), ...r.skipped.map((x) => x.sitemapId)]);
  return Response.json(
    {
      ...extra,
      started: r.started.map((x) => ({ id: numbers.get(x.sitemapId) ?? null, protocolId: x.number })),
      skipped: r.skipped.map((x) => ({ id: numbers.get(x.sitemapId) ?? null, reason: x.reason, message: x.message })),
    },
    { status: 202 },
  );
}

/** POST sitemaps/generate/hour/{hour}: the native hour plan (each sitemap's exportPlan in its timezone); 404 bad hour. */
export async function generateShopHour(principal: Principal, rawHour: string): Promise<Response> {
  if (!/^\d{1,2}$/.test(rawHour) || Number(rawHour) > 23) throw new ShopError(404, "notFound", "The hour parameter is missing or invalid (0..23).");
  const hour = Number(rawHour);
  await assertCredits(principal.userId);
  const slot = new Date();
  slot.setUTCHours(hour, 0, 0, 0);
  const r = await startMany(principal.userId, await sitemapsDueAt(principal.userId, slot), "schedule", slot);
  return batchAnswer(principal, r, { hour });
}

/** POST sitemaps/generate/import: the sitemaps marked exportAfterImport. */
export async function generateShopImport(principal: Principal): Promise<Response> {
  await assertCredits(principal.userId);
  return batchAnswer(principal, await startMany(principal.userId, await sitemapsAfterImport(principal.userId), "import", null), {});
}
