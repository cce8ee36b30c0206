/**
 * An S3-compatible server for tests: s3rver (npm `s3rver`, a Koa app that stores objects in a folder) on loopback, with
 * one bucket, and the environment that points lib/files/storage.ts at it.
 *
 *   const s3 = await startS3(3260);   // ports 3260–3269 belong to these tests
 *   vi.stubEnv(…s3.env)               // STORAGE_URL=s3://<bucket>/<prefix>, S3_ENDPOINT, keys, path style
 *   s3.keys()                         // every stored key, sorted (read from the server over S3)
 *   s3.onPut(key => …)                // called for every object written (s3rver's ObjectCreated events)
 *   await s3.close()                  // stops the server, removes its folder
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

export type TestS3 = {
  env: Record<string, string>;
  bucket: string;
  prefix: string;
  client: S3Client;
  keys: (under?: string) => Promise<string[]>;
  onPut: (listener: (key: string) => void) => () => void;
  close: () => Promise<void>;
};

export async function startS3(port: number, opts: { bucket?: string; prefix?: string } = {}): Promise<TestS3> {
  const bucket = opts.bucket ?? "sitemaps";
  const prefix = opts.prefix ?? "forge";
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "sf-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory, configureBuckets: [{ name: bucket }] });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    STORAGE_URL: `s3://${bucket}/${prefix}`,
    S3_ENDPOINT: endpoint,
    S3_REGION: "us-east-1",
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_FORCE_PATH_STYLE: "true",
  };
  const client = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  const listeners = new Set<(key: string) => void>();
  server.on("event", (e) => {
    for (const r of e.Records) if (r.eventName.startsWith("ObjectCreated")) for (const l of listeners) l(r.s3.object.key);
  });
  return {
    env,
    bucket,
    prefix,
    client,
    async keys(under = "") {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/${under}`, ContinuationToken: token }));
        for (const o of page.Contents ?? []) out.push(o.Key!);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort();
    },
    onPut(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
