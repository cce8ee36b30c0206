/** user:create and apikey:create, run as a self-hoster would (npx tsx …) against a migrated PGlite folder. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey, isWellFormedApiKey } from "@/lib/auth/keys";
import { createDb } from "@/lib/db/client";
import { deployMigrations } from "@/lib/db/migrate";

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-cli-"));
const url = `pglite:${path.join(dir, "pg")}`;

async function cli(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run("npx", ["tsx", `scripts/${script}`, ...args], { env: { ...process.env, DATABASE_URL: url }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Opens the folder only between CLI runs (PGlite allows one process per folder). */
async function query<T>(f: (db: ReturnType<typeof createDb>["db"]) => Promise<T>): Promise<T> {
  const { db, pglite } = createDb(url);
  try {
    return await f(db);
  } finally {
    await db.$disconnect();
    await pglite?.close();
  }
}

beforeAll(async () => {
  await deployMigrations({ url });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("account CLI", { timeout: 120_000 }, () => {
  it("user:create creates a user with a bcrypt hash; a second run with the same email fails with exit 1", async () => {
    const ok = await cli("user-create.ts", ["--email", "Owner@Example.com", "--password", "a-long-password", "--name", "Owner"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Created user owner@example\.com/);
    const user = await query((db) => db.user.findUniqueOrThrow({ where: { email: "owner@example.com" } }));
    expect(user.name).toBe("Owner");
    expect(user.passwordHash).toMatch(/^\$2[aby]\$10\$/);

    const dup = await cli("user-create.ts", ["--email", "owner@example.com", "--password", "another-password"]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("already exists");
    expect(dup.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("user:create rejects bad input (exit 1) and bad usage (exit 2)", async () => {
    const short = await cli("user-create.ts", ["--email", "x@example.com", "--password", "short"]);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('"password"');
    const usage = await cli("user-create.ts", ["--email", "x@example.com"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage:");
    expect(await query((db) => db.user.count({ where: { email: "x@example.com" } }))).toBe(0);
  });

  it("apikey:create prints the key once on stdout and stores only its hash", async () => {
    const r = await cli("apikey-create.ts", ["--email", "owner@example.com", "--name", "laptop"]);
    expect(r.code, r.stderr).toBe(0);
    const key = r.stdout.trim();
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(r.stderr).toContain(`${key.slice(0, 8)}…${key.slice(-4)}`);
    expect(r.stderr).not.toContain(key);
    const rows = await query((db) => db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "ApiKey"`));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "laptop", hash: hashApiKey(key) });
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it("apikey:create --scopes stores the chosen scopes; an unknown scope is exit 1 naming it", async () => {
    const r = await cli("apikey-create.ts", ["--email", "owner@example.com", "--name", "ci", "--scopes", "read, generate"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("scopes: read, generate.");
    expect(await query((db) => db.apiKey.findFirst({ where: { name: "ci" }, select: { scopes: true } }))).toEqual({ scopes: ["read", "generate"] });
    const bad = await cli("apikey-create.ts", ["--email", "owner@example.com", "--name", "bad", "--scopes", "read,admin"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("scopes");
    expect(await query((db) => db.apiKey.count({ where: { name: "bad" } }))).toBe(0);
  });

  it("apikey:create for an unknown email fails with exit 1 and creates nothing", async () => {
    const r = await cli("apikey-create.ts", ["--email", "nobody@example.com", "--name", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No user with email nobody@example.com");
    expect(r.stdout).toBe("");
    expect(await query((db) => db.apiKey.count())).toBe(2);
  });
});

describe("account CLI while another process holds the embedded database", { timeout: 120_000 }, () => {
  it("refuses with a clear message, no stack trace, and changes nothing", async () => {
    const { db, pglite } = createDb(url); // this test process now holds the folder, as `npm start` would
    try {
      const r = await cli("user-create.ts", ["--email", "late@example.com", "--password", "a-long-password"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`open in another process (pid ${process.pid}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await db.user.count({ where: { email: "late@example.com" } })).toBe(0);
    } finally {
      await db.$disconnect();
      await pglite?.close();
    }
  });
});

describe("account CLI on a fresh clone", { timeout: 120_000 }, () => {
  it("user:create before the first npm start applies the migrations, then creates the user", async () => {
    const freshUrl = `pglite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sf-fresh-")), "pg")}`;
    const r = await run("npx", ["tsx", "scripts/user-create.ts", "--email", "first@example.com", "--password", "a-long-password"], {
      env: { ...process.env, DATABASE_URL: freshUrl },
      timeout: 90_000,
    });
    expect(r.stdout).toMatch(/Created user first@example\.com/);
    const { db, pglite } = createDb(freshUrl);
    try {
      expect(await db.user.count({ where: { email: "first@example.com" } })).toBe(1);
    } finally {
      await db.$disconnect();
      await pglite?.close();
    }
  });
});
