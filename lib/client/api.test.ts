import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiFetch, isNotFound, runConflictOf } from "./api";

const answer = (status: number, body: unknown) =>
  vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }));

afterEach(() => vi.restoreAllMocks());

describe("ApiError details and the 409 of a second generate", () => {
  it("keeps the envelope's details; runConflictOf names the active run", async () => {
    answer(409, { error: { type: "invalid_request", code: "conflict", message: "A run of this sitemap is already queued or running.", details: { activeRunId: "run_1" } } });
    const err = await apiFetch("/api/v1/sitemaps/s/generate", { method: "POST" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).details).toEqual({ activeRunId: "run_1" });
    expect(runConflictOf(err)).toEqual({ activeRunId: "run_1" });
    expect(isNotFound(err)).toBe(false);
  });

  it("a run that ended meanwhile (activeRunId null) is still a run conflict, without a run to link", async () => {
    answer(409, { error: { code: "conflict", message: "…", details: { activeRunId: null } } });
    expect(runConflictOf(await apiFetch("/x", { method: "POST" }).catch((e: unknown) => e))).toEqual({ activeRunId: null });
  });

  it("the 409 of a paused sitemap, other errors and non-object details are not run conflicts", async () => {
    answer(409, { error: { code: "conflict", message: "The sitemap is inactive; activate it before generating." } });
    expect(runConflictOf(await apiFetch("/x", { method: "POST" }).catch((e: unknown) => e))).toBeNull();
    answer(409, { error: { code: "duplicate_entry", message: "…", details: { activeRunId: "run_1" } } });
    expect(runConflictOf(await apiFetch("/x", { method: "POST" }).catch((e: unknown) => e))).toBeNull();
    answer(422, { error: { code: "invalid_value", message: "…", details: ["activeRunId"] } });
    const err = await apiFetch("/x", { method: "POST" }).catch((e: unknown) => e);
    expect((err as ApiError).details).toBeUndefined();
    expect(runConflictOf(new Error("boom"))).toBeNull();
  });

  it("isNotFound: 404 answers only", async () => {
    answer(404, { error: { code: "not_found", message: "Sitemap x not found." } });
    expect(isNotFound(await apiFetch("/api/v1/sitemaps/x").catch((e: unknown) => e))).toBe(true);
    expect(isNotFound(new ApiError("forbidden", "no", 403))).toBe(false);
  });
});
