import { describe, expect, it } from "vitest";
import { RUN_ERROR_CODES } from "@/lib/core/run-outcome";
import { anqiFailureMsg, msgFailure, runFailureOf, shopFailure, sxFailure } from "./run-failure";

const base = { id: "run1", status: "failed" as const, error: "127.0.0.1:8259 refused the connection.", errorCode: "connection_refused" as const, errorHint: "Check that the site is up.", heldReason: null };

describe("run failures in adapter shapes", () => {
  it("a failed run's code, message and hint; none for other statuses", () => {
    expect(runFailureOf(base)).toEqual({ code: "connection_refused", message: base.error, hint: base.errorHint });
    expect(runFailureOf({ ...base, status: "succeeded", error: null, errorCode: null, errorHint: null })).toBeNull();
    expect(runFailureOf(null)).toBeNull();
    expect(msgFailure(base)).toEqual(runFailureOf(base));
  });

  it("a failed run stored without a code shows internal_error and its hint", () => {
    expect(runFailureOf({ ...base, error: "The job could not be enqueued.", errorCode: null, errorHint: null })).toEqual({
      code: "internal_error",
      message: "The job could not be enqueued.",
      hint: RUN_ERROR_CODES.internal_error.hint(),
    });
  });

  it("AnQiCMS msg, Sitemap.xml error object, shop strings", () => {
    expect(anqiFailureMsg(runFailureOf(base)!)).toBe(`Sitemap更新失败: connection_refused: ${base.error} ${base.errorHint}`);
    expect(sxFailure(base, "req_1")).toEqual({ code: "connection_refused", message: base.error, details: base.errorHint, request_id: "req_1" });
    expect(sxFailure({ ...base, status: "cancelled", error: "Cancelled.", errorCode: null, errorHint: null }, "r")).toMatchObject({ code: "cancelled", message: "Cancelled." });
    expect(sxFailure({ ...base, status: "held", error: null, errorCode: null, errorHint: null, heldReason: "Too few URLs." }, "r")).toMatchObject({
      code: "held",
      message: "Too few URLs.",
      details: expect.stringContaining("/api/v1/runs/run1/publish"),
    });
    expect(sxFailure({ ...base, status: "running", error: null, errorCode: null, errorHint: null }, "r")).toBeNull();
    expect(shopFailure(base)).toEqual({ errorCode: "connection_refused", errorHint: base.errorHint });
    expect(shopFailure({ ...base, status: "succeeded", error: null, errorCode: null, errorHint: null })).toEqual({ errorCode: "", errorHint: "" });
  });
});
