/**
 * Opaque list cursors: base64url of "<createdAt epoch ms>.<id>" of the last item of the previous page
 * (lib/db/keyset.ts). A cursor that does not decode is a 422 `invalid_value` on `cursor`.
 */
import { AppError } from "@/lib/core/errors";
import type { KeysetAfter } from "@/lib/db/keyset";

export function encodeCursor(after: KeysetAfter | null): string | null {
  return after ? Buffer.from(`${after.createdAt.getTime()}.${after.id}`, "utf8").toString("base64url") : null;
}

export function decodeCursor(cursor: string | undefined): KeysetAfter | null {
  if (cursor === undefined) return null;
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw new AppError("invalid_value", "`cursor` is not a cursor this API returned.", { field: "cursor" });
  return { createdAt: new Date(Number(m[1])), id: m[2] };
}
