/**
 * Applies and creates Prisma migrations offline, through Prisma's own WASM schema engine
 * (`@prisma/schema-engine-wasm`, pinned to the engine hash of prisma 7.10.0), because the Rust schema-engine binary
 * cannot be downloaded on an offline machine. Migrations stay in Prisma's format:
 * `prisma/migrations/<YYYYMMDDHHMMSS>_<name>/migration.sql` + `migration_lock.toml`, recorded in `_prisma_migrations`
 * with checksums, so `prisma migrate deploy` reads the same history wherever the binary exists.
 *
 * Targets: `pglite:<dir>` | `pglite:memory` | an open PGlite instance (tests, the embedded app) | `postgresql://…`.
 * Several instances starting at once (`npm start` on two machines, one PostgreSQL): deployMigrations holds the
 * session-level advisory lock MIGRATION_LOCK_NAME on a connection of its own while it migrates, so the others wait
 * and then find nothing pending. The engine takes its own lock too (`pg_advisory_lock(72707369)`, as `prisma
 * migrate deploy` does), but through the driver adapter's pool it may take and release it on different pooled
 * connections, and it gives up after 10 s; hence the outer lock, and a pool of one connection for the engine.
 * Errors: throws Error("<engine message>\n  driver error: <driver message>") when a migration fails; the failed
 * migration is recorded and later deploys refuse, exactly like `prisma migrate deploy`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the schema engine's wasm-bindgen glue and its JSON-RPC answers ship no TypeScript types */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type { PGlite } from "@electric-sql/pglite";
import { holdSessionLockAt } from "./session-lock";
import { lockPgliteDir, unlockPgliteDir } from "./pglite-lock";

const require = createRequire(import.meta.url);
const filters = { externalTables: [] as string[], externalEnums: [] as string[] };

export type MigrationTarget = { url: string } | { pglite: PGlite };

type Engine = { engine: any; call: <T>(f: () => Promise<T>) => Promise<T>; close: () => Promise<void> };

let wasmModule: any;
async function loadEngineModule() {
  if (wasmModule) return wasmModule;
  // The package's entry does `import * from './x.wasm'`, which plain Node can't load: wire the glue by hand,
  // as Prisma 6 did.
  const bg: any = await import("@prisma/schema-engine-wasm/schema_engine_bg");
  const file = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
  const inst = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), { "./schema_engine_bg.js": bg });
  bg.__wbg_set_wasm(inst.exports);
  (inst.exports as any).__wbindgen_start();
  wasmModule = bg;
  return bg;
}

async function adapterFor(target: MigrationTarget): Promise<{ adapter: any; close: () => Promise<void> }> {
  if ("pglite" in target) {
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    return { adapter: new PrismaPGlite(target.pglite), close: async () => {} };
  }
  const url = target.url;
  if (url.startsWith("pglite:")) {
    const { PGlite } = await import("@electric-sql/pglite");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    const dir = url.slice("pglite:".length);
    const inMemory = dir === "memory" || dir === "";
    if (!inMemory) {
      fs.mkdirSync(path.resolve(dir, ".."), { recursive: true }); // PGlite only creates the last segment
      lockPgliteDir(dir);
    }
    const db = inMemory ? new PGlite() : new PGlite(dir);
    return {
      adapter: new PrismaPGlite(db),
      close: async () => {
        await db.close();
        if (!inMemory) unlockPgliteDir(dir);
      },
    };
  }
  const { PrismaPg } = await import("@prisma/adapter-pg");
  // One connection: the engine's advisory lock and unlock then run in the same session.
  return { adapter: new PrismaPg({ connectionString: url, max: 1 }), close: async () => {} };
}

async function engineFor(target: MigrationTarget, schemaPath: string): Promise<Engine> {
  const bg = await loadEngineModule();
  const { bindMigrationAwareSqlAdapterFactory } = await import("@prisma/driver-adapter-utils");
  const { adapter, close } = await adapterFor(target);
  let lastDriverError: any;
  // The engine reports only "external connector error"; remember what the driver threw.
  const tap = <T extends object>(obj: T, wrap = false): T =>
    new Proxy(obj, {
      get(t, k, r) {
        const v = Reflect.get(t, k, r);
        if (typeof v !== "function") return v;
        return (...args: any[]) => {
          const res = v.apply(t, args);
          if (!res || typeof res.then !== "function") return res;
          return res.then(
            (x: any) => (wrap && x && typeof x === "object" ? tap(x) : x),
            (err: any) => {
              lastDriverError = err;
              throw err;
            },
          );
        };
      },
    });
  const bound = bindMigrationAwareSqlAdapterFactory(tap(adapter, true));
  const schemaText = fs.readFileSync(schemaPath, "utf8");
  const log = (s: string) => {
    if (process.env.DB_MIGRATE_DEBUG) process.stderr.write(s + "\n");
  };
  const engine = await bg.SchemaEngine.new({ datamodels: [[schemaPath, schemaText]] }, log, bound);
  const call = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e: any) {
      const id = /External error id#(\d+)/.exec(String(e?.message))?.[1];
      const inner = id ? (bound as any).errorRegistry.consumeError(Number(id))?.error : undefined;
      const drv = inner ?? lastDriverError;
      const drvMsg = drv ? (drv.cause?.originalMessage ?? drv.cause?.message ?? drv.message ?? JSON.stringify(drv)) : "";
      throw new Error(`${String(e?.message ?? e).split("\n")[0]}${drvMsg ? `\n  driver error: ${drvMsg}` : ""}`);
    }
  };
  return { engine, call, close };
}

function migrationsList(migrationsDir: string) {
  const dirs = fs.existsSync(migrationsDir)
    ? fs
        .readdirSync(migrationsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && fs.existsSync(path.join(migrationsDir, d.name, "migration.sql")))
        .map((d) => d.name)
        .sort()
    : [];
  const lock = path.join(migrationsDir, "migration_lock.toml");
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: fs.existsSync(lock) ? fs.readFileSync(lock, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((d) => ({
      path: d,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: fs.readFileSync(path.join(migrationsDir, d, "migration.sql"), "utf8") },
      },
    })),
  };
}

export type MigrateOptions = {
  schemaPath?: string;
  /** Called once when another process holds the migration lock and this one waits for it (PostgreSQL). */
  onWait?: () => void;
};

/** The advisory lock (hashtext of this name) deployMigrations holds on PostgreSQL while it migrates. */
export const MIGRATION_LOCK_NAME = "sitemap-forge:migrate";

/**
 * Runs `fn` while holding MIGRATION_LOCK_NAME on a dedicated connection when `target` is a PostgreSQL URL (waits,
 * without a time limit, for another process's migrations to end); runs it directly for PGlite targets.
 */
async function withMigrationLock<T>(target: MigrationTarget, onWait: (() => void) | undefined, fn: () => Promise<T>): Promise<T> {
  if (!("url" in target) || target.url.startsWith("pglite:")) return fn();
  const lock = await holdSessionLockAt(target.url, MIGRATION_LOCK_NAME, { wait: true, onWait });
  try {
    return await fn();
  } finally {
    await lock?.release();
  }
}

const defaultSchema = () => path.resolve(process.env.PRISMA_SCHEMA ?? "prisma/schema.prisma");

/**
 * Applies pending migrations; returns the names applied (empty when up to date). Idempotent. On PostgreSQL it
 * first waits for the migration lock (module doc), so concurrent callers apply each migration once.
 */
export async function deployMigrations(target: MigrationTarget, opts: MigrateOptions = {}): Promise<string[]> {
  const schemaPath = opts.schemaPath ?? defaultSchema();
  return withMigrationLock(target, opts.onWait, async () => {
    const { engine, call, close } = await engineFor(target, schemaPath);
    try {
      const r = await call<any>(() =>
        engine.applyMigrations({ migrationsList: migrationsList(path.join(path.dirname(schemaPath), "migrations")), filters }),
      );
      return r.appliedMigrationNames as string[];
    } finally {
      await close();
    }
  });
}

/** SQL that takes (all existing migrations applied to an empty in-memory PGlite) to schema.prisma; "" when in sync. */
export async function pendingMigrationSql(opts: MigrateOptions = {}): Promise<string> {
  const schemaPath = opts.schemaPath ?? defaultSchema();
  const schemaText = fs.readFileSync(schemaPath, "utf8");
  const { engine, call, close } = await engineFor({ url: "pglite:memory" }, schemaPath);
  try {
    await call(() =>
      engine.applyMigrations({ migrationsList: migrationsList(path.join(path.dirname(schemaPath), "migrations")), filters }),
    );
    const r = await call<any>(() =>
      engine.diff({
        from: { tag: "schemaDatasource", files: [{ path: schemaPath, content: schemaText }], configDir: path.dirname(schemaPath) },
        to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schemaText }] },
        script: true,
        exitCode: true,
        filters,
      }),
    );
    return r.exitCode === 2 ? (r.stdout ?? "") : "";
  } finally {
    await close();
  }
}
