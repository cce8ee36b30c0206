import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lockPgliteDir, PgliteLockedError, unlockPgliteDir } from "./pglite-lock";

describe("PGlite folder lock", () => {
  it("refuses a folder held by another live process and takes over a stale lock", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sf-lock-")), "pg");
    // A live process (the test runner's parent) holds it:
    fs.writeFileSync(dir + ".lock", String(process.ppid));
    expect(() => lockPgliteDir(dir)).toThrow(PgliteLockedError);
    expect(() => lockPgliteDir(dir)).toThrow(new RegExp(`pid ${process.ppid}`));
    // A dead process's lock is taken over:
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    fs.writeFileSync(dir + ".lock", dead);
    lockPgliteDir(dir);
    expect(fs.readFileSync(dir + ".lock", "utf8")).toBe(String(process.pid));
    unlockPgliteDir(dir);
    expect(fs.existsSync(dir + ".lock")).toBe(false);
  });
});
