/**
 * Safe path segments for sitemap storage: sitemap keys, generation ids and file names are single segments matching
 * `^[A-Za-z0-9._-]+$`, not starting with "." (that prefix is reserved for `.tmp-*` work dirs, and hides files) and
 * not containing "..". Anything else (slashes, backslashes, NUL, `%2e`, non-ASCII, empty) is refused, so a name can
 * never leave its directory. Pure.
 */
import { InvalidNameError } from "./errors";

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;
/** Longest accepted segment, in chars: below every common file-system limit (255 bytes). */
export const MAX_NAME_LENGTH = 200;

/** True when `value` is a safe single path segment (see module doc). */
export function isSafeName(value: unknown): value is string {
  return (
    typeof value === "string" &&
    value.length <= MAX_NAME_LENGTH &&
    SAFE_NAME.test(value) &&
    !value.startsWith(".") &&
    !value.includes("..")
  );
}

/** @throws InvalidNameError naming `what` (e.g. "file name") when `value` is not a safe single path segment. */
export function assertSafeName(what: string, value: unknown): asserts value is string {
  if (!isSafeName(value)) throw new InvalidNameError(what, String(value));
}
