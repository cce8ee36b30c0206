import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { validateXml } from "@/tests/helpers/xmllint";
import { EmptyGenerationError, GenerationExistsError, InvalidNameError } from "./errors";
import { pruneGenerations, publishedFilePath, publishGeneration, readPublishedFile } from "./publish";
import { writeSitemapFiles } from "./writer";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sf-publish-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let keyNo = 0;
const freshKey = () => `sm${++keyNo}`;
const ls = (key: string) => fs.readdirSync(path.join(root, key)).sort();

const writeSimple = (content: string) => async (dir: string) => {
  fs.writeFileSync(path.join(dir, "sitemap.xml"), content);
  return content.length;
};

describe("publishGeneration", () => {
  it("makes files visible only once the whole generation is written", async () => {
    const key = freshKey();
    let seenDuringWrite: { final: boolean; read: Buffer | null; listing: string[] } | null = null;
    const result = await publishGeneration({
      rootDir: root,
      sitemapKey: key,
      generationId: "gen1",
      write: async (tmpDir) => {
        const res = await writeSitemapFiles(
          Array.from({ length: 30 }, (_, i) => ({ loc: `https://example.com/${i}` })),
          { dir: tmpDir, fileName: "sitemap", baseUrl: "https://files.example.com/sm/gen1", maxFileEntries: 10 },
        );
        seenDuringWrite = {
          final: fs.existsSync(path.join(root, key, "gen1")),
          read: await readPublishedFile(root, key, "gen1", "sitemap.xml"),
          listing: ls(key),
        };
        return res;
      },
    });
    expect(seenDuringWrite).toEqual({ final: false, read: null, listing: [".tmp-gen1"] });
    expect(result.entryFile).toBe("sitemap.xml"); // publishGeneration resolves to what write() returned
    expect(ls(key)).toEqual(["gen1"]);
    expect(fs.readdirSync(path.join(root, key, "gen1")).sort()).toEqual(
      ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"],
    );
    const index = await readPublishedFile(root, key, "gen1", "sitemap.xml");
    expect(index!.toString("utf8")).toContain("<loc>https://files.example.com/sm/gen1/sitemap-3.xml</loc>");
    await validateXml(publishedFilePath(root, key, "gen1", "sitemap.xml"), "sitemapindex");
    await validateXml(publishedFilePath(root, key, "gen1", "sitemap-1.xml"), "urlset");
  });

  it("an exception during write leaves the previous generation intact and no new generation or temp dir", async () => {
    const key = freshKey();
    await publishGeneration({ rootDir: root, sitemapKey: key, generationId: "g1", write: writeSimple("<old/>") });
    const boom = new Error("disk on fire");
    await expect(
      publishGeneration({
        rootDir: root,
        sitemapKey: key,
        generationId: "g2",
        write: async (dir) => {
          fs.writeFileSync(path.join(dir, "sitemap-1.xml"), "<half");
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(ls(key)).toEqual(["g1"]);
    expect((await readPublishedFile(root, key, "g1", "sitemap.xml"))!.toString()).toBe("<old/>");
    expect(await readPublishedFile(root, key, "g2", "sitemap-1.xml")).toBeNull();
  });

  it("a kill -9 mid-write leaves only a .tmp-* dir, which is never served; a retry then publishes", async () => {
    const key = freshKey();
    await publishGeneration({ rootDir: root, sitemapKey: key, generationId: "g1", write: writeSimple("<old/>") });
    const publishModule = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), "publish.ts")).href;
    const script = path.join(root, `child-${key}.mts`);
    fs.writeFileSync(
      script,
      `import fs from "node:fs";
import path from "node:path";
import { publishGeneration } from ${JSON.stringify(publishModule)};
const [rootDir, sitemapKey] = process.argv.slice(2);
setInterval(() => {}, 1000);
await publishGeneration({ rootDir, sitemapKey, generationId: "g2", write: async (dir) => {
  fs.writeFileSync(path.join(dir, "sitemap-1.xml"), "<urlset><url>");
  process.stdout.write("WRITING\\n");
  await new Promise(() => {});
} });
`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script, root, key], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => String(d).includes("WRITING") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    const exited = new Promise((r) => child.on("exit", (_code, signal) => r(signal)));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    expect(ls(key)).toEqual([".tmp-g2", "g1"]);
    expect(await readPublishedFile(root, key, "g2", "sitemap-1.xml")).toBeNull();
    await expect(readPublishedFile(root, key, ".tmp-g2", "sitemap-1.xml")).rejects.toBeInstanceOf(InvalidNameError);
    expect((await readPublishedFile(root, key, "g1", "sitemap.xml"))!.toString()).toBe("<old/>");

    // After the restart the job retries the same generation: the leftover temp dir is replaced.
    await publishGeneration({ rootDir: root, sitemapKey: key, generationId: "g2", write: writeSimple("<new/>") });
    expect(ls(key)).toEqual(["g1", "g2"]);
    expect((await readPublishedFile(root, key, "g2", "sitemap.xml"))!.toString()).toBe("<new/>");
    expect(fs.existsSync(path.join(root, key, "g2", "sitemap-1.xml"))).toBe(false);
  }, 30_000);

  it("a retry with identical bytes is a no-op success; different bytes under a published id are refused", async () => {
    const key = freshKey();
    await publishGeneration({ rootDir: root, sitemapKey: key, generationId: "g1", write: writeSimple("<same/>") });
    const before = fs.statSync(path.join(root, key, "g1", "sitemap.xml")).ino;
    await expect(
      publishGeneration({ rootDir: root, sitemapKey: key, generationId: "g1", write: writeSimple("<same/>") }),
    ).resolves.toBe(7);
    expect(fs.statSync(path.join(root, key, "g1", "sitemap.xml")).ino).toBe(before); // untouched
    await expect(
      publishGeneration({ rootDir: root, sitemapKey: key, generationId: "g1", write: writeSimple("<different/>") }),
    ).rejects.toBeInstanceOf(GenerationExistsError);
    expect(ls(key)).toEqual(["g1"]);
    expect((await readPublishedFile(root, key, "g1", "sitemap.xml"))!.toString()).toBe("<same/>");
  });

  it("refuses a generation without files or with an empty file", async () => {
    const key = freshKey();
    await expect(
      publishGeneration({ rootDir: root, sitemapKey: key, generationId: "g1", write: async () => 0 }),
    ).rejects.toBeInstanceOf(EmptyGenerationError);
    await expect(
      publishGeneration({ rootDir: root, sitemapKey: key, generationId: "g1", write: writeSimple("") }),
    ).rejects.toBeInstanceOf(EmptyGenerationError);
    expect(ls(key)).toEqual([]);
  });

  it("refuses unsafe keys and generation ids before touching the disk", async () => {
    for (const [sitemapKey, generationId] of [
      ["../escape", "g1"],
      ["ok", "../g1"],
      ["ok", ".tmp-x"],
      ["a/b", "g1"],
      ["ok", ""],
    ]) {
      await expect(
        publishGeneration({ rootDir: root, sitemapKey, generationId, write: writeSimple("<x/>") }),
      ).rejects.toBeInstanceOf(InvalidNameError);
    }
    expect(fs.existsSync(path.join(root, "ok"))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(root), "escape"))).toBe(false);
  });
});

describe("readPublishedFile", () => {
  it("refuses traversal and hidden names, and does not follow symlinks", async () => {
    const key = freshKey();
    await publishGeneration({ rootDir: root, sitemapKey: key, generationId: "g1", write: writeSimple("<ok/>") });
    fs.writeFileSync(path.join(root, "secret.txt"), "secret");
    fs.symlinkSync(path.join(root, "secret.txt"), path.join(root, key, "g1", "link.xml"));

    expect((await readPublishedFile(root, key, "g1", "sitemap.xml"))!.toString()).toBe("<ok/>");
    expect(await readPublishedFile(root, key, "g1", "missing.xml")).toBeNull();
    expect(await readPublishedFile(root, key, "g404", "sitemap.xml")).toBeNull();
    expect(await readPublishedFile(root, key, "g1", "link.xml")).toBeNull();
    const bad: [string, string, string][] = [
      [key, "g1", "../g1/sitemap.xml"],
      [key, "g1", ".."],
      [key, "g1", "."],
      [key, "g1", "a/b"],
      [key, "g1", "a\\b"],
      [key, "g1", ""],
      [key, "g1", "%2e%2e"],
      [key, "g1", "x\0y"],
      [key, "g1", ".hidden"],
      [key, "g1", "..secret.txt"],
      [key, "g1", "sitemap..xml"],
      [key, "..", "secret.txt"],
      ["..", key, "g1"],
      [key, "g1", "ключ.xml"],
    ];
    for (const [k, g, n] of bad) {
      await expect(readPublishedFile(root, k, g, n), `${k}/${g}/${n}`).rejects.toBeInstanceOf(InvalidNameError);
      expect(() => publishedFilePath(root, k, g, n)).toThrow(InvalidNameError);
    }
  });
});

describe("pruneGenerations", () => {
  it("removes generations not kept and every .tmp-* dir, leaving other entries", async () => {
    const key = freshKey();
    for (const g of ["g1", "g2", "g3"]) {
      await publishGeneration({ rootDir: root, sitemapKey: key, generationId: g, write: writeSimple(`<${g}/>`) });
    }
    fs.mkdirSync(path.join(root, key, ".tmp-g4"));
    fs.writeFileSync(path.join(root, key, ".tmp-g4", "sitemap.xml"), "<partial");
    fs.writeFileSync(path.join(root, key, ".keepme"), "");
    expect(await pruneGenerations(root, key, ["g3", "g2"])).toEqual({ removed: [".tmp-g4", "g1"] });
    expect(ls(key)).toEqual([".keepme", "g2", "g3"]);
    expect((await readPublishedFile(root, key, "g3", "sitemap.xml"))!.toString()).toBe("<g3/>");
    expect(await pruneGenerations(root, "never-published", [])).toEqual({ removed: [] });
    await expect(pruneGenerations(root, key, ["../x"])).rejects.toBeInstanceOf(InvalidNameError);
  });
});
