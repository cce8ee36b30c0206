import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { API_KEY_PREFIX, generateApiKey, hashApiKey, isWellFormedApiKey } from "./keys";

describe("API keys", () => {
  it("look like sfk_ + 49 base62 chars, carry a valid checksum, and differ every time", () => {
    const keys = Array.from({ length: 200 }, () => generateApiKey());
    for (const k of keys) {
      expect(k.key).toMatch(/^sfk_[0-9A-Za-z]{49}$/);
      expect(isWellFormedApiKey(k.key)).toBe(true);
      expect(k.prefix).toBe(k.key.slice(0, 8));
      expect(k.lastFour).toBe(k.key.slice(-4));
      expect(k.hash).toBe(createHash("sha256").update(k.key).digest("hex"));
    }
    expect(new Set(keys.map((k) => k.key)).size).toBe(200);
  });

  it("the checksum catches every single-character typo and every adjacent swap of a key", () => {
    const { key } = generateApiKey();
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let tried = 0;
    for (let i = API_KEY_PREFIX.length; i < key.length; i++) {
      for (const c of alphabet) {
        if (c === key[i]) continue;
        tried++;
        expect(isWellFormedApiKey(key.slice(0, i) + c + key.slice(i + 1)), `typo at ${i}`).toBe(false);
      }
      if (i + 1 < key.length && key[i] !== key[i + 1]) {
        expect(isWellFormedApiKey(key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2)), `swap at ${i}`).toBe(false);
      }
    }
    expect(tried).toBe(49 * 61);
  });

  it("rejects other shapes", () => {
    const { key } = generateApiKey();
    for (const bad of ["", "sfk_", key.slice(0, -1), key + "a", key.replace("sfk_", "sfx_"), key.replace("sfk_", "SFK_"), ` ${key}`, `${key.slice(0, 20)}-${key.slice(21)}`]) {
      expect(isWellFormedApiKey(bad), bad).toBe(false);
    }
  });

  it("hashApiKey is hex SHA-256", () => {
    expect(hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
