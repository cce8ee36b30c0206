/**
 * Validated environment: the one reader of `process.env` for app settings (add your variables to `ZEnv`).
 * Parsed on every call (it is cheap), so tests can change variables with `vi.stubEnv`.
 *
 * - APP_URL: public base URL of this instance, no trailing slash (default http://localhost:3000).
 * - NEXTAUTH_SECRET: signs/encrypts the dashboard session cookie (next-auth); required in production.
 * - API_RATE_LIMIT_PER_MINUTE: /api/v1 requests per principal (API key or signed-in user) per minute (default 120).
 * - SIGNUP_RATE_LIMIT_PER_MINUTE: sign-ups per client IP per minute (default 5).
 * - SIGNUP_ENABLED: "false" turns public sign-up off (accounts then come from `npm run user:create`).
 * Errors: throws Error listing every invalid variable.
 */
import { z } from "zod";

const flag = (dflt: "true" | "false") =>
  z.enum(["true", "false", "1", "0"]).default(dflt).transform((v) => v === "true" || v === "1");

export const ZEnv = z.object({
  APP_URL: z
    .url({ protocol: /^https?$/ })
    .default("http://localhost:3000")
    .transform((u) => u.replace(/\/+$/, "")),
  NEXTAUTH_SECRET: z.string().min(1).optional(),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  SIGNUP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(5),
  SIGNUP_ENABLED: flag("true"),
});
export type TEnv = z.infer<typeof ZEnv>;

export function getEnv(source: Record<string, string | undefined> = process.env): TEnv {
  // Empty strings mean "unset" (a blank line in .env must not fail validation).
  const input = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = ZEnv.safeParse(input);
  if (!parsed.success) {
    const list = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${list}`);
  }
  return parsed.data;
}
