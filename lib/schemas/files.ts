/**
 * Published-file DTO for GET /api/v1/sitemaps/{id}/files. `bytes` is the stored size (gzip files: compressed);
 * `urlCount` is the number of `<url>`/`<sitemap>` entries; `sha256` (hex) is also the download's ETag.
 * `download_url` is the authenticated API path; `public_url` the unauthenticated absolute URL search engines fetch.
 */
import { z } from "zod";

export const ZFileDto = z.object({
  name: z.string(),
  kind: z.string(),
  bytes: z.number().int(),
  urlCount: z.number().int(),
  sha256: z.string(),
  runId: z.string(),
  createdAt: z.string(),
  download_url: z.string(),
  public_url: z.string(),
});
export type TFileDto = z.infer<typeof ZFileDto>;
