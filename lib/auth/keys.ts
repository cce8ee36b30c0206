/**
 * API key format, generation and hashing (GitHub token-format style).
 *
 * Key: `sfk_` + 43 base62 chars (32 random bytes) + 6 base62 chars of CRC32(`sfk_` + random part) = 53 chars.
 * The checksum lets us (and secret scanners) reject a mistyped or made-up key without a database read.
 * Stored: SHA-256 hex of the whole key, a display prefix (first 8 chars, "sfk_Ab3x") and the last 4 chars.
 */
import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

export const API_KEY_PREFIX = "sfk_";
const RANDOM_LEN = 43; // 62^43 > 2^256
const CHECKSUM_LEN = 6; // 62^6 > 2^32
const KEY_RE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LEN + CHECKSUM_LEN}}$`);
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62(n: bigint, width: number): string {
  let out = "";
  for (; n > 0n; n /= 62n) out = ALPHABET[Number(n % 62n)] + out;
  return out.padStart(width, "0");
}

const checksum = (body: string) => base62(BigInt(crc32(body)), CHECKSUM_LEN);

export type GeneratedApiKey = { key: string; hash: string; prefix: string; lastFour: string };

/** A new random key (format in the module doc) with its SHA-256 hex `hash`, 8-character `prefix` and `lastFour`. */
export function generateApiKey(): GeneratedApiKey {
  const body = API_KEY_PREFIX + base62(BigInt("0x" + randomBytes(32).toString("hex")), RANDOM_LEN);
  const key = body + checksum(body);
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 8), lastFour: key.slice(-4) };
}

/** Shape and checksum only; no I/O. */
export function isWellFormedApiKey(key: string): boolean {
  if (!KEY_RE.test(key)) return false;
  const body = key.slice(0, -CHECKSUM_LEN);
  return checksum(body) === key.slice(-CHECKSUM_LEN);
}

/** SHA-256 of the key's UTF-8 bytes, lower-case hex (64 characters): what the database stores and looks keys up by. */
export const hashApiKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");
