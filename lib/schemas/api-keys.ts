/**
 * API key DTOs for /api/v1/api-keys (dashboard session only). Never carries the hash; the plaintext `key` appears
 * once, in the 201 answer to POST. `prefix` + "…" + `lastFour` tells keys apart in lists.
 */
import { z } from "zod";

export const ZCreateApiKeyBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
export type TCreateApiKeyBody = z.input<typeof ZCreateApiKeyBody>;

export const ZApiKeyDto = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  lastFour: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TApiKeyDto = z.infer<typeof ZApiKeyDto>;

export const ZCreatedApiKeyDto = ZApiKeyDto.extend({ key: z.string() });
export type TCreatedApiKeyDto = z.infer<typeof ZCreatedApiKeyDto>;
