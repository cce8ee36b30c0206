import { defineConfig } from "prisma/config";

// The Prisma CLI is used only for generate/validate/format; migrations run through scripts/db-migrate.ts
// (Prisma's WASM schema engine), because the Rust schema-engine binary cannot be downloaded offline.
// Don't use env("DATABASE_URL"): it throws when unset (e.g. during the postinstall generate).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
