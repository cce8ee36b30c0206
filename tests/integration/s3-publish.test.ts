/**
 * Published files in an S3-compatible store (STORAGE_URL=s3://…, lib/files/s3-storage.ts) against s3rver on
 * 127.0.0.1:3262, on an embedded PGlite folder and, with TEST_DATABASE_URL, on PostgreSQL:
 *
 * - a run's export writes its generation to the store and the public route serves it exactly as from local disk:
 *   the same bytes as a local-disk export of the same inventory, ETag (sha256), Last-Modified, Content-Length, 304,
 *   `.xml.gz` as application/gzip;
 * - kill -9 mid-publish: an export in a child process (tests/helpers/step-child.ts) is SIGKILLed right after the first
 *   object of its generation is stored; the previous generation is still the one served, the partial one has no
 *   manifest; the rerun publishes cleanly, and pruning leaves only the served generation and the one before it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as publicFile } from "@/app/s/[sitemapId]/[name]/route";
import type { Db } from "@/lib/db/client";
import { seedCrawledRun } from "@/tests/helpers/runs";
import { exportRun } from "@/lib/runs/execute";
import { ctx, req } from "@/tests/api/helpers";
import { testBackends } from "@/tests/helpers/db";
import { sharedTestDatabase, type SharedTestDatabase } from "@/tests/helpers/shared-db";
import { startS3, type TestS3 } from "@/tests/helpers/s3";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHILD = path.join(REPO, "tests", "helpers", "step-child.ts");
const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-s3pub-files-"));
const APP_URL = "http://sitemaps.test";

type Exit = { code: number | null; signal: string | null; out: string };
function startExportChild(runId: string, env: Record<string, string>): { proc: ChildProcess; exited: Promise<Exit> } {
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD, "export", runId], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => void (out += c.toString("utf8")));
  proc.stderr!.on("data", (c: Buffer) => void (out = (out + c.toString("utf8")).slice(-4000)));
  const exited = new Promise<Exit>((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal, out })));
  return { proc, exited };
}

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(3262);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await s3?.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const useS3 = () => {
  for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);
};
const useLocal = () => {
  for (const k of Object.keys(s3.env)) vi.stubEnv(k, "");
};

for (const backend of testBackends()) {
  describe(`published files in S3 on ${backend.name}`, () => {
    let tdb: SharedTestDatabase;
    let userId: string;
    let twinUserId: string;
    beforeAll(async () => {
      vi.stubEnv("FILES_DIR", filesDir);
      vi.stubEnv("APP_URL", APP_URL);
      tdb = await sharedTestDatabase(backend, "sf-s3pub-pg-");
      const db = await tdb.open();
      userId = (await db.user.create({ data: { email: `s3pub-${backend.name}@example.com`, passwordHash: "x" } })).id;
      twinUserId = (await db.user.create({ data: { email: `s3pub-twin-${backend.name}@example.com`, passwordHash: "x" } })).id;
    }, 300_000); // migrating a PGlite folder takes minutes on a loaded machine
    afterAll(async () => {
      await tdb?.destroy();
    });

    const newSitemap = (db: Db, fileName: string, gzip: boolean, owner = userId) =>
      db.sitemap.create({
        data: { userId: owner, name: fileName, startUrl: "https://www.example.com/", fileName, maxFileEntries: 100, gzip, extraFormats: ["txt"] },
      });
    const pub = (id: string, name: string, headers?: Record<string, string>) =>
      publicFile(req("GET", `/s/${id}/${encodeURIComponent(name)}`, { headers }), ctx({ sitemapId: id, name }));

    it("serves an S3 export with the local backend's bytes, ETag, Last-Modified, Content-Length, 304 and gzip", async () => {
      const db = await tdb.open();
      const onS3 = await newSitemap(db, "ons3", true);
      const onDisk = await newSitemap(db, "ons3", true, twinUserId); // same file names, so the same bytes
      const s3Run = await seedCrawledRun(onS3.id, 450, "same");
      const diskRun = await seedCrawledRun(onDisk.id, 450, "same");
      useLocal();
      await exportRun(diskRun);
      useS3();
      await exportRun(s3Run);

      const rows = await db.sitemapFile.findMany({ where: { runId: s3Run }, orderBy: { name: "asc" } });
      expect(rows.map((r) => r.name)).toEqual([
        "ons3-1.txt", "ons3-1.xml.gz", "ons3-2.txt", "ons3-2.xml.gz", "ons3-3.txt", "ons3-3.xml.gz", "ons3-4.txt", "ons3-4.xml.gz",
        "ons3-5.txt", "ons3-5.xml.gz", "ons3-index.xml", "ons3.xml.gz",
      ]);
      // Nothing of it on local disk; every file plus the manifest in the bucket.
      expect(fs.existsSync(path.join(filesDir, onS3.id))).toBe(false);
      expect(await s3.keys(`${onS3.id}/`)).toEqual(
        [...rows.map((r) => `${s3.prefix}/${onS3.id}/${s3Run}/${r.name}`), `${s3.prefix}/${onS3.id}/${s3Run}/.generation`].sort(),
      );
      for (const row of rows) {
        const local = fs.readFileSync(path.join(filesDir, onDisk.id, diskRun, row.name));
        const res = await pub(onS3.id, row.name);
        expect(res.status, row.name).toBe(200);
        const body = Buffer.from(await res.arrayBuffer());
        // An index names its parts under the sitemap's own URL, so only the two indexes differ between the sitemaps.
        if (row.name === "ons3.xml.gz" || row.name === "ons3-index.xml") {
          const xml = (row.name.endsWith(".gz") ? gunzipSync(body) : body).toString();
          expect(xml).toContain(`${APP_URL}/s/${onS3.id}/ons3-5.${row.name.endsWith(".gz") ? "xml.gz" : "txt"}`);
          expect(xml.replaceAll(onS3.id, onDisk.id)).toBe((row.name.endsWith(".gz") ? gunzipSync(local) : local).toString());
        } else expect(body.equals(local), row.name).toBe(true);
        expect(sha(body)).toBe(row.sha256);
        expect(res.headers.get("etag")).toBe(`"${row.sha256}"`);
        expect(res.headers.get("last-modified")).toBe(row.createdAt.toUTCString());
        expect(res.headers.get("content-length")).toBe(String(row.bytes));
        expect(res.headers.get("content-type")).toBe(
          row.name.endsWith(".gz") ? "application/gzip" : row.name.endsWith(".txt") ? "text/plain; charset=utf-8" : "application/xml; charset=utf-8",
        );
        expect(res.headers.get("content-encoding")).toBeNull(); // a .gz file is served as stored
        if (row.name.endsWith(".gz")) expect(gunzipSync(body).toString()).toMatch(row.kind === "urlset" ? /<urlset/ : /<sitemapindex/);
      }
      const etag = `"${rows[0].sha256}"`;
      const conditional: Record<string, string>[] = [
        { "if-none-match": etag },
        { "if-none-match": `W/${etag}` },
        { "if-modified-since": rows[0].createdAt.toUTCString() },
      ];
      for (const h of conditional) {
        const res = await pub(onS3.id, rows[0].name, h);
        expect(res.status).toBe(304);
        expect(res.headers.get("etag")).toBe(etag);
        expect(await res.text()).toBe("");
      }
      const stale = await pub(onS3.id, rows[0].name, { "if-none-match": '"stale"' });
      expect(stale.status).toBe(200);
      await stale.arrayBuffer();
      expect((await pub(onS3.id, "nope.xml")).status).toBe(404);
      await tdb.close();
    }, 120_000);

    it("kill -9 mid-publish: the previous generation stays served; the rerun publishes; pruning leaves no orphans", async () => {
      useS3();
      let db = await tdb.open();
      const sm = await newSitemap(db, "killed", false);
      const previous = await seedCrawledRun(sm.id, 300, "old");
      await exportRun(previous);
      const next = await seedCrawledRun(sm.id, 3_000, "new"); // 30 urlset parts + index, 30 TXT parts + index: 62 files
      await tdb.close();
      const served = async () => {
        const d = await tdb.open();
        const s = (await d.sitemap.findUniqueOrThrow({ where: { id: sm.id } })).publishedRunId;
        const res = await pub(sm.id, "killed.xml");
        const body = Buffer.from(await res.arrayBuffer()).toString();
        const row = await d.sitemapFile.findUniqueOrThrow({ where: { runId_name: { runId: s!, name: "killed.xml" } } });
        expect(sha(Buffer.from(body))).toBe(row.sha256); // whole, and the file the pointer names
        await tdb.close();
        return { runId: s, body };
      };
      const before = await served();
      expect(before.runId).toBe(previous);

      // The child stores objects of `next`; the first one stored triggers the kill, long before its 62nd and the manifest.
      const child = startExportChild(next, { ...s3.env, DATABASE_URL: tdb.url, FILES_DIR: filesDir, APP_URL });
      let stored = 0;
      const off = s3.onPut((key) => {
        if (!key.startsWith(`${s3.prefix}/${sm.id}/${next}/`)) return;
        stored++;
        child.proc.kill("SIGKILL");
      });
      const exit = await child.exited;
      off();
      expect(exit.signal, exit.out).toBe("SIGKILL");
      expect(stored).toBeGreaterThanOrEqual(1);
      const partial = await s3.keys(`${sm.id}/${next}/`);
      console.log(`[s3-publish:${backend.name}] killed after ${stored} stored object(s); ${partial.length} object(s) of the new generation left`);
      expect(partial.length).toBeGreaterThan(0);
      expect(partial.length).toBeLessThan(62);
      expect(partial).not.toContain(`${s3.prefix}/${sm.id}/${next}/.generation`);
      expect(await served()).toEqual(before); // the previous generation is still the one served, byte for byte

      // The rerun (a retried step) publishes cleanly and switches.
      const rerun = startExportChild(next, { ...s3.env, DATABASE_URL: tdb.url, FILES_DIR: filesDir, APP_URL });
      const done = await rerun.exited;
      expect(done.code, done.out).toBe(0);
      const after = await served();
      expect(after.runId).toBe(next);
      expect(after.body).toContain("/s/" + sm.id + "/killed-30.xml");
      db = await tdb.open();
      expect((await db.run.findUniqueOrThrow({ where: { id: next } })).status).toBe("succeeded");
      const rows = await db.sitemapFile.findMany({ where: { runId: next } });
      expect(rows).toHaveLength(62);
      // In the bucket: the served generation (all its files and its manifest) and the one before it, nothing else.
      const gens = new Set((await s3.keys(`${sm.id}/`)).map((k) => k.split("/")[2]));
      expect([...gens].sort()).toEqual([previous, next].sort());
      expect(await s3.keys(`${sm.id}/${next}/`)).toHaveLength(63);

      // One more run: the generation two back is pruned.
      const third = await seedCrawledRun(sm.id, 200, "third");
      await exportRun(third);
      const gens3 = new Set((await s3.keys(`${sm.id}/`)).map((k) => k.split("/")[2]));
      expect([...gens3].sort()).toEqual([next, third].sort());
      await tdb.close();
    }, 180_000);
  });
}
