/** Creates an API key for a user and returns it with its plaintext: the only time the plaintext exists. */
import { insertApiKey } from "@/lib/db/api-keys";
import type { ApiScope, TCreatedApiKeyDto } from "@/lib/schemas/api-keys";
import { generateApiKey } from "./keys";

/**
 * Generates a key (lib/auth/keys.ts), stores its hash, display prefix and last four characters with `name` and
 * `scopes` (default: every scope), and returns the stored key's DTO plus the plaintext `key`. Throws what the
 * database throws.
 */
export async function issueApiKey(opts: { userId: string; name: string; scopes?: ApiScope[] }): Promise<TCreatedApiKeyDto> {
  const { key, hash, prefix, lastFour } = generateApiKey();
  const dto = await insertApiKey({ userId: opts.userId, name: opts.name, hash, prefix, lastFour, scopes: opts.scopes });
  return { ...dto, key };
}
