import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native/WASM and Node-only packages stay plain Node requires on the server instead of being bundled.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "@prisma/schema-engine-wasm",
    "pg",
    "cheerio",
    "xmlbuilder2",
    "undici",
    "htmlparser2",
    "iconv-lite",
    "playwright-core",
    "croner",
    "esbuild",
  ],
  poweredByHeader: false,
};

export default nextConfig;
