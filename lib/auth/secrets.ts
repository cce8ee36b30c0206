/**
 * Encryption at rest for secrets the service must use again later (staging-site credentials of a sitemap:
 * Sitemap.authEncrypted), unlike API keys and passwords, which are only ever compared and so are hashed.
 *
 * Algorithm: AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV per message and a 128-bit tag; the purpose
 * string is bound as additional authenticated data, so a ciphertext made for one purpose does not decrypt as
 * another. Token format: `v1.` + base64url(iv ‖ ciphertext ‖ tag).
 *
 * Key (read at each call, so tests and workers may set env late):
 * - `SECRETS_KEY`: 32 random bytes as base64 (44 chars) or hex (64 chars) — set it in production
 *   (`openssl rand -base64 32`), and keep it when NEXTAUTH_SECRET rotates;
 * - else derived from `NEXTAUTH_SECRET` with HKDF-SHA-256 (RFC 5869; salt "sitemap-forge",
 *   info "sitemap-forge/secrets/v1"), so a default install (npm start generates NEXTAUTH_SECRET) works as is.
 * Changing the key makes stored secrets unreadable: decryption then fails and the credentials must be entered
 * again. Nothing here logs or returns plaintext except `decrypt*`'s result.
 *
 * Errors: `secretsKey` throws SecretsKeyError when neither variable is usable; `decrypt*` throw SecretsKeyError
 * for a token that is malformed, was made with another key, or was tampered with (GCM authentication).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** No usable key, or a token that does not decrypt with it (wrong key, wrong purpose, tampered, malformed). */
export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretsKeyError";
  }
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The 32-byte key (module doc). Throws SecretsKeyError when SECRETS_KEY is malformed or nothing is set. */
export function secretsKey(env: NodeJS.ProcessEnv = process.env): Buffer {
  const raw = env.SECRETS_KEY?.trim();
  if (raw) {
    const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, "hex") : Buffer.from(raw, "base64");
    if (key.length !== 32) throw new SecretsKeyError("SECRETS_KEY must be 32 bytes, as base64 (44 characters) or hex (64 characters)");
    return key;
  }
  const secret = env.NEXTAUTH_SECRET;
  if (!secret) throw new SecretsKeyError("Set SECRETS_KEY (or NEXTAUTH_SECRET) to store credentials encrypted");
  return Buffer.from(hkdfSync("sha256", secret, "sitemap-forge", "sitemap-forge/secrets/v1", 32));
}

/** Encrypts `plaintext` (UTF-8) for `purpose` (e.g. "sitemap-auth"). Returns an ASCII token. */
export function encryptSecret(plaintext: string, purpose: string, env?: NodeJS.ProcessEnv): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", secretsKey(env), iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, ct, cipher.getAuthTag()]).toString("base64url")}`;
}

/** Decrypts a token from {@link encryptSecret} made for the same `purpose`. */
export function decryptSecret(token: string, purpose: string, env?: NodeJS.ProcessEnv): string {
  const [version, data] = token.split(".", 2);
  const buf = version === VERSION && data ? Buffer.from(data, "base64url") : Buffer.alloc(0);
  if (buf.length < IV_BYTES + TAG_BYTES) throw new SecretsKeyError("Not an encrypted secret of this version");
  const decipher = createDecipheriv("aes-256-gcm", secretsKey(env), buf.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(purpose, "utf8"));
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretsKeyError("The secret cannot be decrypted: it was encrypted with another key, or altered");
  }
}

/** {@link encryptSecret} of `JSON.stringify(value)`. */
export function encryptJson(value: unknown, purpose: string, env?: NodeJS.ProcessEnv): string {
  return encryptSecret(JSON.stringify(value), purpose, env);
}

/** {@link decryptSecret} then JSON.parse; the caller validates the shape. */
export function decryptJson<T>(token: string, purpose: string, env?: NodeJS.ProcessEnv): T {
  return JSON.parse(decryptSecret(token, purpose, env)) as T;
}

/** Purpose label of Sitemap.authEncrypted. */
export const SITEMAP_AUTH_PURPOSE = "sitemap-auth";
