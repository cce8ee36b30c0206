import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./atomic-write";

let dir = "";
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("replaces the file's content and leaves no temporary file", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sf-atomic-"));
    const file = path.join(dir, "feed.xml");
    await writeFile(file, "old");
    await writeFileAtomic(file, Buffer.from("new content"));
    expect(await readFile(file, "utf8")).toBe("new content");
    expect(await readdir(dir)).toEqual(["feed.xml"]);
  });
  it("throws when the target cannot be replaced, leaving the old file and no temporary file", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sf-atomic-"));
    const target = path.join(dir, "sub");
    await writeFile(path.join(dir, "keep"), "x");
    await import("node:fs/promises").then((fs) => fs.mkdir(path.join(target, "occupied"), { recursive: true }));
    // Renaming a file over a non-empty folder fails (EISDIR/ENOTEMPTY).
    await expect(writeFileAtomic(target, Buffer.from("y"))).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(["keep", "sub"]);
    expect(await readFile(path.join(dir, "keep"), "utf8")).toBe("x");
  });
});
