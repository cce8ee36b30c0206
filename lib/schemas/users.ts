/**
 * Sign-up body and user DTO. Emails are compared lower-cased; passwords are 8..72 UTF-8 bytes (bcrypt reads at most
 * 72 bytes, so longer ones would be silently truncated).
 */
import { z } from "zod";
import { line } from "./common";

export const ZEmail = z.string().trim().toLowerCase().max(254).pipe(z.email());
export const ZPassword = z
  .string()
  .min(8)
  .refine((p) => new TextEncoder().encode(p).length <= 72, "Must be at most 72 bytes.");

export const ZSignupBody = z.strictObject({
  email: ZEmail,
  password: ZPassword,
  name: line(z.string()).trim().min(1).max(200).optional(),
});
export type TSignupBody = z.input<typeof ZSignupBody>;

export const ZUserDto = z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), createdAt: z.string() });
export type TUserDto = z.infer<typeof ZUserDto>;
