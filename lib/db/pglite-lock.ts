/**
 * One process per PGlite data folder. PGlite itself takes no lock, and two processes opening the same folder
 * corrupt it silently, so we keep `<dir>.lock` holding the owner's pid: a second process (e.g. `npm run user:create`
 * while `npm start` runs) gets a clear error instead. A lock left by a dead process is taken over.
 *
 * Errors: throws PgliteLockedError naming the pid that holds the folder.
 */
import fs from "node:fs";
import path from "node:path";

/** The data folder `dir` is held by the live process `pid`; the message says how to go on. */
export class PgliteLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The embedded database ${dir} is open in another process (pid ${pid}, probably \`npm start\`). ` +
        `Stop that process first, use the dashboard or the API instead, or set DATABASE_URL to a PostgreSQL server.`,
    );
    this.name = "PgliteLockedError";
  }
}

const held = new Set<string>();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Takes the lock of a PGlite data folder for this process (idempotent within the process). */
export function lockPgliteDir(dir: string): void {
  const lockFile = path.resolve(dir) + ".lock";
  if (held.has(lockFile)) return;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      held.add(lockFile);
      if (held.size === 1) process.once("exit", releaseAll);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(fs.readFileSync(lockFile, "utf8").trim());
      if (pid === process.pid) {
        held.add(lockFile);
        return;
      }
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new PgliteLockedError(dir, pid);
      fs.rmSync(lockFile, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${lockFile}`);
}

/** Releases this process's lock of `dir` (after closing the database). */
export function unlockPgliteDir(dir: string): void {
  const lockFile = path.resolve(dir) + ".lock";
  if (!held.delete(lockFile)) return;
  fs.rmSync(lockFile, { force: true });
}

function releaseAll() {
  for (const f of held) fs.rmSync(f, { force: true });
  held.clear();
}
