import { describe, expect, it } from "vitest";
import { checkEnvironment } from "@/lib/config/check-env";
import { parseStorageUrl, storageConfig, storageProblems } from "./storage-config";

describe("storage configuration", () => {
  it("local disk by default, under FILES_DIR", () => {
    expect(storageConfig({ FILES_DIR: "/srv/files" })).toEqual({ kind: "local", root: "/srv/files" });
    expect(storageConfig({ STORAGE_URL: "  " })).toMatchObject({ kind: "local" });
  });

  it("s3://bucket/prefix with endpoint, region, keys and path style", () => {
    expect(
      storageConfig({
        STORAGE_URL: "s3://my-bucket/sites/prod/",
        S3_ENDPOINT: "http://127.0.0.1:9000",
        S3_REGION: "auto",
        S3_ACCESS_KEY_ID: "id",
        S3_SECRET_ACCESS_KEY: "secret",
        S3_FORCE_PATH_STYLE: "true",
      }),
    ).toEqual({
      kind: "s3",
      bucket: "my-bucket",
      prefix: "sites/prod/",
      endpoint: "http://127.0.0.1:9000",
      region: "auto",
      credentials: { accessKeyId: "id", secretAccessKey: "secret" },
      forcePathStyle: true,
    });
    // No keys: the SDK's default credential chain; no endpoint: AWS S3; default region; virtual-hosted style.
    expect(storageConfig({ STORAGE_URL: "s3://bucket" })).toEqual({
      kind: "s3",
      bucket: "bucket",
      prefix: "",
      endpoint: null,
      region: "us-east-1",
      credentials: null,
      forcePathStyle: false,
    });
    expect(parseStorageUrl("s3://b-1/a//b")).toEqual({ bucket: "b-1", prefix: "a/b/" });
  });

  it("names the variable of every bad setting", () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ STORAGE_URL: "https://bucket/x" }, /^STORAGE_URL: expected s3:\/\/bucket/],
      [{ STORAGE_URL: "s3://Bad_Bucket" }, /^STORAGE_URL: "Bad_Bucket" is not a valid bucket name/],
      [{ STORAGE_URL: "s3://bucket/../etc" }, /^STORAGE_URL: the prefix segment "\.\."/],
      [{ STORAGE_URL: "s3://bucket", S3_ENDPOINT: "ftp://x" }, /^S3_ENDPOINT: expected an http\(s\) URL/],
      [{ STORAGE_URL: "s3://bucket", S3_REGION: "US East" }, /^S3_REGION: /],
      [{ STORAGE_URL: "s3://bucket", S3_ACCESS_KEY_ID: "id" }, /^S3_SECRET_ACCESS_KEY: set both/],
      [{ STORAGE_URL: "s3://bucket", S3_SECRET_ACCESS_KEY: "s" }, /^S3_ACCESS_KEY_ID: set both/],
      [{ STORAGE_URL: "s3://bucket", S3_FORCE_PATH_STYLE: "yes" }, /^S3_FORCE_PATH_STYLE: expected true or false/],
    ];
    for (const [env, problem] of bad) {
      expect(storageProblems(env), JSON.stringify(env)).toEqual([expect.stringMatching(problem)]);
      // The start-up check (npm start, instrumentation.ts) reports it, once, by name.
      const name = problem.source.slice(1, problem.source.indexOf(":"));
      expect(checkEnvironment(env).filter((p) => p.startsWith(`${name}:`)), JSON.stringify(env)).toHaveLength(1);
    }
    expect(checkEnvironment({ STORAGE_URL: "s3://bucket/prefix", S3_ENDPOINT: "https://s3.example.com", S3_FORCE_PATH_STYLE: "1" })).toEqual([]);
  });
});
