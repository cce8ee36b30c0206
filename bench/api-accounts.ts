/**
 * bench/api-load.mjs's setup in one process (each tsx start costs seconds on a loaded machine): applies the
 * migrations to DATABASE_URL, creates one account per `email` argument and an API key for each (every scope), and
 * prints the keys as JSON `{ email: key }` on stdout. Run from the checkout whose lib/ it should use:
 *   DATABASE_URL=… tsx bench/api-accounts.ts a@example.com b@example.com
 * Errors: exits 1 with the message (an email taken, a database that cannot be opened).
 */
import { issueApiKey } from "../lib/auth/issue-api-key";
import { databaseUrl } from "../lib/db/url";
import { deployMigrations } from "../lib/db/migrate";
import { createUser } from "../lib/db/users";

try {
  await deployMigrations({ url: databaseUrl() });
  const keys: Record<string, string> = {};
  for (const email of process.argv.slice(2)) {
    const user = await createUser({ email, password: "bench-password-123" });
    keys[email] = (await issueApiKey({ userId: user.id, name: "bench" })).key;
  }
  console.log(JSON.stringify(keys));
  process.exit(0);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
