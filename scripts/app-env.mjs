/**
 * The public URLs scripts/run-app.mjs starts the server with, from the caller's environment (changed in place):
 * APP_URL = the caller's APP_URL, else its NEXTAUTH_URL, else http://localhost:$PORT (PORT default 3000);
 * NEXTAUTH_URL = the caller's NEXTAUTH_URL, else APP_URL. next-auth sends sign-in and sign-out redirects to
 * NEXTAUTH_URL's origin, so setting APP_URL alone must move it too. Blank values count as unset.
 * Returns `{ appUrl, authUrl }` (the values now in `env`).
 */
export function applyPublicUrls(env) {
  const blank = (v) => v === undefined || v.trim() === "";
  const port = blank(env.PORT) ? "3000" : env.PORT.trim();
  if (blank(env.APP_URL)) env.APP_URL = blank(env.NEXTAUTH_URL) ? `http://localhost:${port}` : env.NEXTAUTH_URL.trim();
  if (blank(env.NEXTAUTH_URL)) env.NEXTAUTH_URL = env.APP_URL.trim().replace(/\/+$/, "");
  return { appUrl: env.APP_URL, authUrl: env.NEXTAUTH_URL };
}
