/**
 * Where published files live, from the environment alone (no SDK loaded here, so the start-up check can use it):
 *
 * - `STORAGE_URL` unset (default): local disk, the folder `FILES_DIR` (absolute, or relative to the working directory;
 *   default `./.data/files`).
 * - `STORAGE_URL=s3://bucket/prefix`: an S3-compatible object store (AWS S3, Cloudflare R2, MinIO, …) through
 *   @aws-sdk/client-s3 (lib/files/s3-storage.ts). The prefix is optional (`s3://bucket` = the bucket's root); keys are
 *   `<prefix>/<sitemapId>/<runId>/<name>` and `<prefix>/feeds/<feedId>/feed.xml`. With it:
 *   - `S3_ENDPOINT`: the store's http(s) URL (e.g. `https://<account>.r2.cloudflarestorage.com`,
 *     `http://minio:9000`); unset = AWS S3 of `S3_REGION`.
 *   - `S3_REGION`: default `us-east-1` (R2 takes `auto`).
 *   - `S3_ACCESS_KEY_ID` + `S3_SECRET_ACCESS_KEY`: both or neither; neither = the SDK's default credential chain
 *     (AWS_* variables, shared config files, instance or container roles).
 *   - `S3_FORCE_PATH_STYLE`: `true` addresses the bucket as `<endpoint>/<bucket>/<key>` instead of
 *     `<bucket>.<endpoint>/<key>` (MinIO and most self-hosted stores need it); default false.
 *
 * `storageConfig(env)` → the parsed choice; throws `StorageConfigError` naming the variable. `storageProblems(env)` →
 * the same problems as `NAME: problem` lines for lib/config/check-env.ts ([] when valid or when STORAGE_URL is unset).
 */
import path from "node:path";
import { isSafeName } from "@/lib/sitemap/names";

export type S3StorageConfig = {
  kind: "s3";
  bucket: string;
  /** Key prefix, "" or ending in "/" (e.g. "sitemaps/"). */
  prefix: string;
  endpoint: string | null;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
  forcePathStyle: boolean;
};
export type LocalStorageConfig = { kind: "local"; root: string };
export type StorageConfig = LocalStorageConfig | S3StorageConfig;

/** A storage setting that is not valid: `variable` names it (e.g. `STORAGE_URL`), the message is `NAME: problem`. */
export class StorageConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = "StorageConfigError";
  }
}

type Env = Record<string, string | undefined>;
const val = (env: Env, name: string) => env[name]?.trim() || undefined;

/**
 * The folder published files live in on the local backend: FILES_DIR, default `./.data/files`. Runtime data, not
 * code: the `turbopackIgnore` comment keeps `next build`'s output file tracing from following it.
 */
export function filesRoot(env: Env = process.env): string {
  return path.resolve(/* turbopackIgnore: true */ process.cwd(), val(env, "FILES_DIR") ?? ".data/files");
}

/** Bucket names as S3 allows them (3–63 characters of lower-case letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket/prefix` → { bucket, prefix } (prefix "" or "a/b/"); each prefix segment must be a safe name. */
export function parseStorageUrl(raw: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(raw.trim());
  if (!m) throw new StorageConfigError("STORAGE_URL", `expected s3://bucket or s3://bucket/prefix, got "${raw}"`);
  const bucket = m[1];
  if (!BUCKET.test(bucket)) throw new StorageConfigError("STORAGE_URL", `"${bucket}" is not a valid bucket name`);
  const segments = (m[2] ?? "").split("/").filter((s) => s !== "");
  const bad = segments.find((s) => !isSafeName(s));
  if (bad !== undefined) throw new StorageConfigError("STORAGE_URL", `the prefix segment "${bad}" is not a plain name ([A-Za-z0-9._-], no leading ".")`);
  return { bucket, prefix: segments.length ? `${segments.join("/")}/` : "" };
}

/** The storage backend configured by `env` (module doc). Throws StorageConfigError for a bad setting. */
export function storageConfig(env: Env = process.env): StorageConfig {
  const url = val(env, "STORAGE_URL");
  if (!url) return { kind: "local", root: filesRoot(env) };
  const { bucket, prefix } = parseStorageUrl(url);
  const endpoint = val(env, "S3_ENDPOINT") ?? null;
  if (endpoint !== null) {
    let ok = false;
    try {
      ok = ["http:", "https:"].includes(new URL(endpoint).protocol);
    } catch {}
    if (!ok) throw new StorageConfigError("S3_ENDPOINT", `expected an http(s) URL, got "${endpoint}"`);
  }
  const region = val(env, "S3_REGION") ?? "us-east-1";
  if (!/^[a-z0-9-]{1,40}$/.test(region)) throw new StorageConfigError("S3_REGION", `expected a region name such as us-east-1 or auto, got "${region}"`);
  const accessKeyId = val(env, "S3_ACCESS_KEY_ID");
  const secretAccessKey = val(env, "S3_SECRET_ACCESS_KEY");
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? "S3_ACCESS_KEY_ID" : "S3_SECRET_ACCESS_KEY";
    throw new StorageConfigError(missing, "set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (the SDK's default credential chain)");
  }
  const pathStyle = (val(env, "S3_FORCE_PATH_STYLE") ?? "false").toLowerCase();
  if (!["true", "false", "1", "0"].includes(pathStyle)) {
    throw new StorageConfigError("S3_FORCE_PATH_STYLE", `expected true or false, got "${pathStyle}"`);
  }
  return {
    kind: "s3",
    bucket,
    prefix,
    endpoint,
    region,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : null,
    forcePathStyle: pathStyle === "true" || pathStyle === "1",
  };
}

/** Problems of the storage settings as `NAME: problem` lines; [] when they are valid. */
export function storageProblems(env: Env = process.env): string[] {
  try {
    storageConfig(env);
    return [];
  } catch (err) {
    if (err instanceof StorageConfigError) return [err.message];
    throw err;
  }
}
