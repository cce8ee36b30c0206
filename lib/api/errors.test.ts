import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/core/errors";
import { ZCreateSitemapBody } from "@/lib/schemas/sitemaps";
import { toErrorResponse, zodToAppError } from "./errors";

const fail = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  if (r.success) throw new Error("expected a failure");
  return zodToAppError(r.error, input);
};

describe("zodToAppError", () => {
  const base = { name: "n", startUrl: "https://a.example/", fileName: "a" };
  it.each([
    [{ ...base, name: undefined }, "missing", "name"],
    [{ ...base, name: null }, "invalid_value", "name"],
    [{ ...base, startUrl: "nope" }, "invalid_format", "startUrl"],
    [{ ...base, fileName: "A B" }, "invalid_format", "fileName"],
    [{ ...base, maxFileSize: 10 }, "invalid_value", "maxFileSize"],
    [{ ...base, crawl: { respectRobots: "no" } }, "invalid_value", "crawl.respectRobots"],
    [{ ...base, crawl: { extra: 1 } }, "unknown_field", "crawl.extra"],
    [{ ...base, extra: 1 }, "unknown_field", "extra"],
    ["a string", "invalid_value", undefined],
  ])("%j → %s on %s", (input, code, field) => {
    const e = fail(ZCreateSitemapBody, input);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
    expect(e.status).toBe(422);
  });

  it("an absent enum is missing, a wrong one invalid_value (zod 4 reports both as invalid_value)", () => {
    const schema = z.strictObject({ kind: z.enum(["xml", "html"]) });
    expect(fail(schema, {})).toMatchObject({ code: "missing", field: "kind" });
    expect(fail(schema, { kind: "pdf" })).toMatchObject({ code: "invalid_value", field: "kind" });
  });
});

describe("toErrorResponse", () => {
  it("renders an AppError as the envelope", async () => {
    const res = toErrorResponse(new AppError("conflict", "Busy.", { field: "x" }), "req_1");
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: { type: "conflict", code: "conflict", message: "Busy.", field: "x", request_id: "req_1", doc_url: expect.stringMatching(/^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/docs\/api#conflict$/) },
    });
  });

  it("maps Prisma P2002 → 409 duplicate_entry and P2025 → 404", async () => {
    const known = (code: string) => new Prisma.PrismaClientKnownRequestError("internal detail", { code, clientVersion: "7" });
    expect((await toErrorResponse(known("P2002"), "r").json()).error.code).toBe("duplicate_entry");
    expect(toErrorResponse(known("P2025"), "r").status).toBe(404);
  });

  it("hides unknown errors behind 500 internal_error and logs them with the request id", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = toErrorResponse(new TypeError("at /srv/app/lib/x.ts:12 password=hunter2"), "req_9");
    const body = await res.json();
    expect(res.status).toBe(500);
    expect(body.error).toMatchObject({ code: "internal_error", type: "api_error", request_id: "req_9" });
    expect(JSON.stringify(body)).not.toMatch(/hunter2|\/srv/);
    expect(log.mock.calls[0][0]).toContain("req_9");
    log.mockRestore();
  });
});

describe("toErrorResponse with a ZodError thrown by a handler", () => {
  it("is a 422 invalid_value (the input is unknown, so no missing/present distinction)", async () => {
    const r = z.object({ a: z.string() }).safeParse({});
    const res = toErrorResponse(r.error, "r");
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatchObject({ code: "invalid_value", field: "a" });
  });
});
