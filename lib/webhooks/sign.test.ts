import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signPayload, verifySignature } from "./sign";

describe("webhook signatures (Stripe style t=…,v1=…)", () => {
  const secret = "whsec_" + "ab".repeat(24);
  const body = JSON.stringify({ id: "whd_1", event: "run.succeeded", data: { runId: "r1" } });

  it("v1 is the hex HMAC-SHA256 of `${t}.${body}` with the whole secret", () => {
    const header = signPayload(secret, body, 1_800_000_000);
    expect(header).toBe(`t=1800000000,v1=${createHmac("sha256", secret).update(`1800000000.${body}`).digest("hex")}`);
  });

  it("verifies a fresh signature and rejects tampering, other secrets, old timestamps and junk", () => {
    const now = 1_800_000_000;
    const header = signPayload(secret, body, now);
    expect(verifySignature({ secret, body, header, nowSec: now + 10 })).toBe(true);
    expect(verifySignature({ secret, body: body.replace("r1", "r2"), header, nowSec: now })).toBe(false);
    expect(verifySignature({ secret: generateWebhookSecret(), body, header, nowSec: now })).toBe(false);
    expect(verifySignature({ secret, body, header, nowSec: now + 301 })).toBe(false);
    expect(verifySignature({ secret, body, header: "garbage", nowSec: now })).toBe(false);
    expect(verifySignature({ secret, body, header: null })).toBe(false);
  });

  it("secrets are whsec_ + 48 hex chars and unique", () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[0-9a-f]{48}$/);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});
