/**
 * Where to go after signing in: only same-site paths are honoured (no "//host" or absolute URLs), so a crafted
 * ?callbackUrl= cannot send the user elsewhere. next-auth may pass an absolute URL on our own origin; keep its path.
 */

/**
 * The path (with query and fragment) of `raw` resolved against `origin` when it stays on `origin`, starts with a
 * single "/" and is not the login or sign-up page; else `fallback` (also for an empty or unparsable `raw`).
 */
export function safeCallbackUrl(raw: string | null | undefined, origin: string, fallback = "/dashboard"): string {
  if (!raw) return fallback;
  try {
    const u = new URL(raw, origin);
    if (u.origin !== origin) return fallback;
    const path = u.pathname + u.search + u.hash;
    return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/login") && !path.startsWith("/signup") ? path : fallback;
  } catch {
    return fallback;
  }
}
