/**
 * The shared benchmark site (../shared/bench/site/server.mjs) on a free loopback port, for tests that crawl it:
 * `startSyntheticSite({ pages, latencyMs })` → `{ origin, port, stop }`, resolved once the server prints that it
 * listens. `pages`: pages of the site (e.g. 100, 2000, "10k"); `latencyMs`: delay added to every response (ms).
 * The site publishes the exact URL set a correct crawler lists (`/__truth.json`) and its request counts (`/__stats`).
 * Errors: rejects when the server exits before it listens (e.g. ../shared/bench is missing).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SYNTHETIC_SITE_SCRIPT = path.join(REPO, "..", "shared", "bench", "site", "server.mjs");

export type SyntheticSite = { origin: string; port: number; stop: () => void };

/** A port that was free a moment ago (the kernel's choice on 127.0.0.1). */
function freePort(): Promise<number> {
  return new Promise((ok) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => ok(p));
    });
  });
}

export async function startSyntheticSite(opts: { pages: number | string; latencyMs?: number }): Promise<SyntheticSite> {
  const port = await freePort();
  const args = [SYNTHETIC_SITE_SCRIPT, "--pages", String(opts.pages), "--port", String(port)];
  if (opts.latencyMs) args.push("--latency", String(opts.latencyMs));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((ok, fail) => {
    child.stderr!.on("data", (d: Buffer) => d.toString().includes("synthetic site:") && ok());
    child.once("exit", (code) => fail(new Error(`synthetic site (${SYNTHETIC_SITE_SCRIPT}) exited with ${code}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, port, stop: () => void child.kill() };
}
