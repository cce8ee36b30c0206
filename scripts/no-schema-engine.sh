#!/bin/sh
# Placeholder for Prisma's Rust schema-engine binary, which cannot be downloaded offline.
# PRISMA_SCHEMA_ENGINE_BINARY points here so `prisma generate` / `validate` / `format` skip the download.
# Migrations go through scripts/db-migrate.ts (Prisma's WASM schema engine) instead.
echo "schema-engine binary not available (offline); use npm run db:migrate:* scripts" >&2
exit 1
