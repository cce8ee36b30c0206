import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmptyGenerationError, GenerationExistsError, InvalidNameError } from "@/lib/sitemap/errors";
import { startS3, type TestS3 } from "@/tests/helpers/s3";
import { createFileStorage, getFileStorage, type FileStorage } from "./storage";
import { storageConfig } from "./storage-config";

/** The same guarantees on both backends (lib/files/storage.ts module doc). s3rver on port 3260. */
const localRoot = fs.mkdtempSync(path.join(os.tmpdir(), "sf-storage-"));
let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(3260);
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(localRoot, { recursive: true, force: true });
});

const text = async (stream: ReadableStream<Uint8Array>) => {
  const chunks: Buffer[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
};
const writeFiles = (files: Record<string, string | Buffer>) => async (dir: string) => {
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
  return Object.keys(files).length;
};

const backends: { name: string; make: () => Promise<FileStorage> }[] = [
  { name: "local", make: () => createFileStorage({ kind: "local", root: localRoot }) },
  { name: "s3", make: () => createFileStorage(storageConfig(s3.env)) },
];

for (const backend of backends) {
  describe(`file storage: ${backend.name}`, () => {
    let st: FileStorage;
    let n = 0;
    const key = () => `sm-${backend.name}-${++n}`;
    beforeAll(async () => {
      st = await backend.make();
    });
    const read = async (k: string, g: string, name: string) => {
      const o = await st.openGenerationFile(k, g, name);
      return o && (await text(o.stream)).toString("utf8");
    };

    it("a generation is readable only once every file is stored; write()'s result is returned", async () => {
      const k = key();
      let during: (string | null)[] = [];
      const result = await st.publishGeneration({
        sitemapKey: k,
        generationId: "g1",
        write: async (dir) => {
          await writeFiles({ "a.xml": "<a/>", "b.xml": "<b/>" })(dir);
          during = [await read(k, "g1", "a.xml"), await read(k, "g1", "b.xml")];
          return "written";
        },
      });
      expect(result).toBe("written");
      expect(during).toEqual([null, null]);
      expect([await read(k, "g1", "a.xml"), await read(k, "g1", "b.xml")]).toEqual(["<a/>", "<b/>"]);
    });

    it("a write that throws leaves nothing of the new generation and the previous one intact", async () => {
      const k = key();
      await st.publishGeneration({ sitemapKey: k, generationId: "g1", write: writeFiles({ "s.xml": "<old/>" }) });
      const boom = new Error("disk on fire");
      await expect(
        st.publishGeneration({
          sitemapKey: k,
          generationId: "g2",
          write: async (dir) => {
            fs.writeFileSync(path.join(dir, "s.xml"), "<half");
            throw boom;
          },
        }),
      ).rejects.toBe(boom);
      expect(await read(k, "g1", "s.xml")).toBe("<old/>");
      expect(await read(k, "g2", "s.xml")).toBeNull();
    });

    it("a retry with identical bytes succeeds; different bytes under a complete id are refused; empty output is refused", async () => {
      const k = key();
      await st.publishGeneration({ sitemapKey: k, generationId: "g1", write: writeFiles({ "s.xml": "<same/>" }) });
      await expect(st.publishGeneration({ sitemapKey: k, generationId: "g1", write: writeFiles({ "s.xml": "<same/>" }) })).resolves.toBe(1);
      await expect(
        st.publishGeneration({ sitemapKey: k, generationId: "g1", write: writeFiles({ "s.xml": "<different/>" }) }),
      ).rejects.toBeInstanceOf(GenerationExistsError);
      expect(await read(k, "g1", "s.xml")).toBe("<same/>");
      await expect(st.publishGeneration({ sitemapKey: k, generationId: "g2", write: async () => 0 })).rejects.toBeInstanceOf(EmptyGenerationError);
      await expect(st.publishGeneration({ sitemapKey: k, generationId: "g3", write: writeFiles({ "s.xml": "" }) })).rejects.toBeInstanceOf(
        EmptyGenerationError,
      );
      expect(await read(k, "g2", "s.xml")).toBeNull();
      expect(await read(k, "g3", "s.xml")).toBeNull();
    });

    it("unsafe names: refused before anything is written, and read as null", async () => {
      for (const bad of ["../x", "a/b", "..", ".tmp-g1", ""]) {
        await expect(st.publishGeneration({ sitemapKey: bad, generationId: "g1", write: writeFiles({ "s.xml": "x" }) })).rejects.toBeInstanceOf(
          InvalidNameError,
        );
        await expect(st.publishGeneration({ sitemapKey: "ok", generationId: bad, write: writeFiles({ "s.xml": "x" }) })).rejects.toBeInstanceOf(
          InvalidNameError,
        );
        expect(await st.openGenerationFile("ok", "g1", bad)).toBeNull();
      }
      // The S3 manifest (".generation") is never served.
      const k = key();
      await st.publishGeneration({ sitemapKey: k, generationId: "g1", write: writeFiles({ "s.xml": "<x/>" }) });
      expect(await st.openGenerationFile(k, "g1", ".generation")).toBeNull();
    });

    it("streams a multi-megabyte gzip file byte for byte, in chunks, with its size and a modification time", async () => {
      const k = key();
      const big = gzipSync(Buffer.from(Array.from({ length: 120_000 }, (_, i) => `<url><loc>https://e.com/${i}</loc></url>`).join("\n")), {
        level: 0,
      });
      expect(big.length).toBeGreaterThan(4_000_000);
      const before = Date.now() - 2000;
      await st.publishGeneration({ sitemapKey: k, generationId: "g1", write: writeFiles({ "s-1.xml.gz": big }) });
      const o = (await st.openGenerationFile(k, "g1", "s-1.xml.gz"))!;
      expect(o.bytes).toBe(big.length);
      expect(o.modified.getTime()).toBeGreaterThanOrEqual(before);
      let chunks = 0;
      const got: Buffer[] = [];
      for await (const c of o.stream as unknown as AsyncIterable<Uint8Array>) {
        chunks++;
        got.push(Buffer.from(c));
      }
      expect(chunks).toBeGreaterThan(4); // streamed, not handed over as one buffer
      const all = Buffer.concat(got);
      expect(createHash("sha256").update(all).digest("hex")).toBe(createHash("sha256").update(big).digest("hex"));
    });

    it("prunes every generation not kept, unfinished ones included; other sitemaps untouched", async () => {
      const k = key();
      const other = key();
      for (const g of ["g1", "g2", "g3"]) await st.publishGeneration({ sitemapKey: k, generationId: g, write: writeFiles({ "s.xml": `<${g}/>` }) });
      await st.publishGeneration({ sitemapKey: other, generationId: "g1", write: writeFiles({ "s.xml": "<o/>" }) });
      // An unfinished generation, as a killed publication leaves it.
      if (backend.name === "s3") {
        await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${s3.prefix}/${k}/g4/s.xml`, Body: "<half" }));
      } else {
        fs.mkdirSync(path.join(localRoot, k, ".tmp-g4"));
        fs.writeFileSync(path.join(localRoot, k, ".tmp-g4", "s.xml"), "<half");
      }
      const { removed } = await st.pruneGenerations(k, ["g3", "g2"]);
      expect(removed).toEqual(backend.name === "s3" ? ["g1", "g4"] : [".tmp-g4", "g1"]);
      expect([await read(k, "g1", "s.xml"), await read(k, "g2", "s.xml"), await read(k, "g3", "s.xml")]).toEqual([null, "<g2/>", "<g3/>"]);
      expect(await read(other, "g1", "s.xml")).toBe("<o/>");
      if (backend.name === "s3") expect(await s3.keys(`${k}/`)).toEqual([`${s3.prefix}/${k}/g2/.generation`, `${s3.prefix}/${k}/g2/s.xml`, `${s3.prefix}/${k}/g3/.generation`, `${s3.prefix}/${k}/g3/s.xml`]);
      await st.removeFolder([k]);
      expect(await read(k, "g3", "s.xml")).toBeNull();
      expect(await st.pruneGenerations("never-written", [])).toEqual({ removed: [] });
    });

    it("single files (feeds): replaced whole, read back, removed", async () => {
      const seg = ["feeds", `feed-${backend.name}`, "feed.xml"];
      expect(await st.readFile(seg)).toBeNull();
      await st.writeFile(seg, Buffer.from("<rss>1</rss>"));
      await st.writeFile(seg, Buffer.from("<rss>2</rss>"));
      const got = (await st.readFile(seg))!;
      expect(got.bytes.toString()).toBe("<rss>2</rss>");
      expect(got.modified).toBeInstanceOf(Date);
      await st.removeFolder(seg.slice(0, 2));
      expect(await st.readFile(seg)).toBeNull();
      await expect(st.writeFile(["feeds", "../x", "feed.xml"], Buffer.from("x"))).rejects.toThrow(/Unsafe/);
    });
  });
}

describe("getFileStorage", () => {
  it("chooses the backend by configuration alone", async () => {
    expect((await getFileStorage({ FILES_DIR: localRoot })).kind).toBe("local");
    const s = await getFileStorage(s3.env);
    expect(s.kind).toBe("s3");
    expect(s.location).toBe("s3://sitemaps/forge/");
    expect(await getFileStorage(s3.env)).toBe(s); // one client per configuration
  });
});
