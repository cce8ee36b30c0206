/**
 * API key DTOs for /api/v1/api-keys (dashboard session only). Never carries the hash; the plaintext `key` appears
 * once, in the 201 answer to POST. `prefix` + "…" + `lastFour` tells keys apart in lists.
 *
 * Scopes (what a key may do; a dashboard session has all of them):
 *   read – every GET; write – create, change and delete sitemaps; generate – start runs;
 *   submit – submit sitemaps to search engines; templates – manage output templates.
 * `scopes` on create: a non-empty list without repeats (an unknown name or a repeat is 422 invalid_value); absent = all scopes.
 */
import { z } from "zod";
import { line } from "./common";

export const API_SCOPES = ["read", "write", "generate", "submit", "templates"] as const;
export const ZApiScope = z.enum(API_SCOPES);
export type ApiScope = z.infer<typeof ZApiScope>;

export const ZCreateApiKeyBody = z.strictObject({
  name: line(z.string()).trim().min(1).max(100),
  scopes: z
    .array(ZApiScope)
    .min(1)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((s, i) => {
        if (seen.has(s)) ctx.addIssue({ code: "custom", path: [i], message: `"${s}" is listed twice.` });
        seen.add(s);
      });
    })
    .default([...API_SCOPES])
    .describe("What the key may do; default: all scopes."),
});
export type TCreateApiKeyBody = z.input<typeof ZCreateApiKeyBody>;

export const ZApiKeyDto = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  lastFour: z.string(),
  scopes: z.array(ZApiScope),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TApiKeyDto = z.infer<typeof ZApiKeyDto>;

export const ZCreatedApiKeyDto = ZApiKeyDto.extend({ key: z.string() });
export type TCreatedApiKeyDto = z.infer<typeof ZCreatedApiKeyDto>;
