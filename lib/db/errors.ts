/**
 * Database errors as the API's errors: Prisma's known request errors mapped to AppError codes, so routes never
 * import Prisma. P2002 (unique constraint) → duplicate_entry (409); P2025 (record to update/delete not found) →
 * not_found (404); anything else → null (the caller logs it and answers 500).
 */
import { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/core/errors";

/**
 * Prisma's known request errors as AppError: P2002 (unique constraint) → 409 `duplicate_entry`, P2025 (record not
 * found) → 404 `not_found`; anything else → null.
 */
export function dbErrorToAppError(err: unknown): AppError | null {
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (err.code === "P2002") return new AppError("duplicate_entry", "A resource with these values already exists.");
    if (err.code === "P2025") return new AppError("not_found", "Not found.");
  }
  return null;
}
