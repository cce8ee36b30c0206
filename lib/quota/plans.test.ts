import { describe, expect, it } from "vitest";
import { DEFAULT_PLANS, planTable, toPlanName } from "./plans";

describe("plan table", () => {
  it("defaults to the reference table (Starter 60/min 1,000/day, Professional 300/25,000, Enterprise 1,000/unlimited)", () => {
    expect(planTable({})).toEqual({
      starter: { perMinute: 60, perDay: 1000 },
      professional: { perMinute: 300, perDay: 25000 },
      enterprise: { perMinute: 1000, perDay: null },
    });
  });

  it("PLAN_LIMITS overrides per plan and field; API_RATE_LIMIT_PER_MINUTE replaces every perMinute", () => {
    const t = planTable({ PLAN_LIMITS: { starter: { perDay: 50 }, enterprise: { perDay: 9 } }, API_RATE_LIMIT_PER_MINUTE: 7 });
    expect(t.starter).toEqual({ perMinute: 7, perDay: 50 });
    expect(t.professional).toEqual({ perMinute: 7, perDay: 25000 });
    expect(t.enterprise).toEqual({ perMinute: 7, perDay: 9 });
    expect(DEFAULT_PLANS.starter.perDay).toBe(1000); // defaults untouched
  });

  it("unknown stored plan names fall back to starter", () => {
    expect(toPlanName("professional")).toBe("professional");
    expect(toPlanName("gold")).toBe("starter");
    expect(toPlanName(null)).toBe("starter");
  });
});
