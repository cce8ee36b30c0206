/**
 * Creates an API key for a user: npm run apikey:create -- --email E --name N [--scopes read,generate]
 * `--scopes`: comma-separated scopes (read, write, generate, submit, templates); absent = every scope.
 * The key is printed once, alone on stdout (`KEY=$(npm run -s apikey:create -- …)`); notes (with its scopes) go to
 * stderr. Only its SHA-256 hash is stored. Exit 0 created, 1 unknown user, invalid name or scopes, 2 usage.
 */
import { parseWith } from "../lib/api/request";
import { issueApiKey } from "../lib/auth/issue-api-key";
import { AppError } from "../lib/core/errors";
import { findUserByEmail } from "../lib/db/users";
import { ZCreateApiKeyBody } from "../lib/schemas/api-keys";
import { flags, runCli, UsageError } from "./cli";

const USAGE = "usage: npm run apikey:create -- --email <email> --name <key name> [--scopes read,write,generate,submit,templates]";

await runCli(async () => {
  const f = flags(["email", "name", "scopes"], USAGE);
  if (f.email === undefined || f.name === undefined) throw new UsageError(USAGE);
  const scopes = f.scopes === undefined ? undefined : f.scopes.split(",").map((s) => s.trim());
  const body = parseWith(ZCreateApiKeyBody, { name: f.name, ...(scopes ? { scopes } : {}) });
  const user = await findUserByEmail(f.email);
  if (!user) throw new AppError("not_found", `No user with email ${f.email}.`);
  const created = await issueApiKey({ userId: user.id, name: body.name, scopes: body.scopes });
  console.error(`Created API key "${created.name}" (${created.prefix}…${created.lastFour}) for ${user.email}, scopes: ${created.scopes.join(", ")}.`);
  console.error("Copy it now: it is not shown again.");
  console.log(created.key);
});
