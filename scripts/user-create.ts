/**
 * Creates a dashboard account: npm run user:create -- --email E --password P [--name N]
 * DATABASE_URL as for the app. Exit 0 created, 1 invalid input or email taken, 2 usage.
 */
import { parseWith } from "../lib/api/request";
import { createUser } from "../lib/db/users";
import { ZSignupBody } from "../lib/schemas/users";
import { flags, runCli, UsageError } from "./cli";

const USAGE = "usage: npm run user:create -- --email <email> --password <password> [--name <name>]";

await runCli(async () => {
  const f = flags(["email", "password", "name"], USAGE);
  if (f.email === undefined || f.password === undefined) throw new UsageError(USAGE);
  const input = parseWith(ZSignupBody, { email: f.email, password: f.password, ...(f.name !== undefined ? { name: f.name } : {}) });
  const user = await createUser(input);
  console.log(`Created user ${user.email} (id ${user.id}).`);
});
