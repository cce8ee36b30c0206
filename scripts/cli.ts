/**
 * Shared plumbing of the account CLIs (user-create, apikey-create): `--flag value` parsing, and a runner that prints
 * AppError messages (exit 1) or usage errors (exit 2) without stack traces and closes the database.
 */
import { parseArgs } from "node:util";
import { isAppError } from "../lib/core/errors";
import { getDb, getPglite } from "../lib/db/client";
import { deployMigrations } from "../lib/db/migrate";
import { PgliteLockedError } from "../lib/db/pglite-lock";
import { databaseUrl } from "../lib/db/url";

export class UsageError extends Error {}

export function flags<K extends string>(names: readonly K[], usage: string): Record<K, string | undefined> {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: Object.fromEntries(names.map((n) => [n, { type: "string" as const }])),
      strict: true,
      allowPositionals: false,
    });
    return values as Record<K, string | undefined>;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}

export async function runCli(main: () => Promise<void>): Promise<void> {
  let lockedOut = false;
  try {
    // A fresh clone may run these before the first `npm start`: bring the schema up to date first (idempotent).
    await deployMigrations({ url: databaseUrl() });
    await main();
  } catch (err) {
    lockedOut = err instanceof PgliteLockedError;
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exitCode = 2;
    } else if (isAppError(err) || err instanceof PgliteLockedError) {
      console.error(`Error: ${err.message}`);
      process.exitCode = 1;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  } finally {
    // Only close what was opened: a locked-out process never got a database.
    if (!(process.exitCode === 1 && lockedOut)) {
      await getDb().$disconnect();
      await getPglite()?.close();
    }
  }
}
