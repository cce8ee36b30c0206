import { describe, expect, it } from "vitest";
import { decryptJson, decryptSecret, encryptJson, encryptSecret, secretsKey, SecretsKeyError } from "./secrets";

const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;
const envA = env({ NEXTAUTH_SECRET: "a-session-secret-of-some-length" });
const envB = env({ NEXTAUTH_SECRET: "another-session-secret" });
const envKey = env({ SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"), NEXTAUTH_SECRET: "ignored" });

describe("secrets (AES-256-GCM)", () => {
  it("round-trips; each encryption uses a fresh IV; the token never contains the plaintext", () => {
    const a = encryptSecret("p@ss wörd", "sitemap-auth", envA);
    const b = encryptSecret("p@ss wörd", "sitemap-auth", envA);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("p@ss");
    expect(decryptSecret(a, "sitemap-auth", envA)).toBe("p@ss wörd");
    expect(decryptJson(encryptJson({ basicAuth: { username: "u", password: "p" } }, "x", envKey), "x", envKey)).toEqual({ basicAuth: { username: "u", password: "p" } });
  });

  it("key: SECRETS_KEY (base64 or hex) wins; otherwise HKDF from NEXTAUTH_SECRET; nothing → SecretsKeyError", () => {
    expect(secretsKey(envKey)).toEqual(Buffer.alloc(32, 7));
    expect(secretsKey(env({ SECRETS_KEY: "ab".repeat(32) }))).toEqual(Buffer.alloc(32, 0xab));
    expect(secretsKey(envA)).toHaveLength(32);
    expect(secretsKey(envA)).not.toEqual(secretsKey(envB));
    expect(() => secretsKey(env({ SECRETS_KEY: "short" }))).toThrow(SecretsKeyError);
    expect(() => secretsKey(env({}))).toThrow(SecretsKeyError);
  });

  it("refuses another key, another purpose, and any tampering", () => {
    const t = encryptSecret("secret", "sitemap-auth", envA);
    expect(() => decryptSecret(t, "sitemap-auth", envB)).toThrow(SecretsKeyError);
    expect(() => decryptSecret(t, "other-purpose", envA)).toThrow(SecretsKeyError);
    const raw = Buffer.from(t.slice(3), "base64url");
    raw[14] ^= 1;
    expect(() => decryptSecret("v1." + raw.toString("base64url"), "sitemap-auth", envA)).toThrow(SecretsKeyError);
    expect(() => decryptSecret("garbage", "sitemap-auth", envA)).toThrow(SecretsKeyError);
  });
});
