/**
 * Creates an API key for a user: npm run apikey:create -- --email E --name N
 * The key is printed once, alone on stdout (`KEY=$(npm run -s apikey:create -- …)`); notes go to stderr.
 * Only its SHA-256 hash is stored. Exit 0 created, 1 unknown user or invalid name, 2 usage.
 */
import { parseWith } from "../lib/api/request";
import { issueApiKey } from "../lib/auth/issue-api-key";
import { AppError } from "../lib/core/errors";
import { findUserByEmail } from "../lib/db/users";
import { ZCreateApiKeyBody } from "../lib/schemas/api-keys";
import { flags, runCli, UsageError } from "./cli";

const USAGE = "usage: npm run apikey:create -- --email <email> --name <key name>";

await runCli(async () => {
  const f = flags(["email", "name"], USAGE);
  if (f.email === undefined || f.name === undefined) throw new UsageError(USAGE);
  const { name } = parseWith(ZCreateApiKeyBody, { name: f.name });
  const user = await findUserByEmail(f.email);
  if (!user) throw new AppError("not_found", `No user with email ${f.email}.`);
  const created = await issueApiKey({ userId: user.id, name });
  console.error(`Created API key "${created.name}" (${created.prefix}…${created.lastFour}) for ${user.email}.`);
  console.error("Copy it now: it is not shown again.");
  console.log(created.key);
});
