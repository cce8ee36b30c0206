/** After the e2e run: stops the nginx that served the PostgreSQL manual and removes the published test files. */
import fs from "node:fs";
import path from "node:path";
import { ROOT, SITE_PID_FILE } from "./realsite";

export default async function globalTeardown() {
  try {
    const pid = Number(fs.readFileSync(SITE_PID_FILE, "utf8").trim());
    if (pid > 0) process.kill(pid, "SIGTERM");
  } catch {
    // Not running (or already stopped): nothing to do.
  }
  fs.rmSync(path.join(ROOT, ".data", "e2e-files"), { recursive: true, force: true });
}
