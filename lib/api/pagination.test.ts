import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./pagination";

describe("cursors", () => {
  it("round-trip (createdAt, id)", () => {
    const after = { createdAt: new Date("2030-01-02T03:04:05.678Z"), id: "cmabc123" };
    expect(decodeCursor(encodeCursor(after)!)).toEqual(after);
    expect(encodeCursor(null)).toBeNull();
    expect(decodeCursor(undefined)).toBeNull();
  });

  it("422 invalid_value on anything else", () => {
    for (const c of ["x", Buffer.from("12.a b").toString("base64url"), Buffer.from("x.id").toString("base64url")]) {
      expect(() => decodeCursor(c)).toThrow(expect.objectContaining({ code: "invalid_value", field: "cursor" }));
    }
  });
});
