/**
 * JavaScript rendering with Playwright on the system's Chromium, for pages whose links only exist after their
 * scripts run (renderJs "auto" | "always"; the auto heuristic is html.ts looksLikeEmptyShell).
 *
 * - One browser per crawl, launched on the first render (a crawl that never needs one never starts Chromium),
 *   a pool of at most `pages` tabs reused across renders, everything closed by `close()`.
 * - Chromium makes no network connection of its own. Every request of the page is intercepted (`context.route`)
 *   and either refused or fulfilled by the crawler's fetcher (lib/crawl/fetch.ts), so the SSRF guard, the
 *   deadline, the body cap and the rule "credentials only to the start origin" hold inside the browser too.
 *   Admitted: GET requests for documents, scripts, XHR and fetch() on the crawl's own origin that robots.txt
 *   allows; everything else (other origins, images, styles, fonts, media, POSTs, beacons) is aborted. As a
 *   second wall, the browser's proxy is a closed local port and its DNS resolver maps every name to "not found",
 *   so a request that escaped interception (WebSocket, a future resource type) cannot reach anything.
 * - Chromium: `executablePath` (default env CHROMIUM_PATH, else /usr/bin/chromium) with the flags in
 *   {@link CHROMIUM_ARGS}; service workers blocked; downloads refused.
 * - A render waits for the `load` event, then up to {@link NETWORK_IDLE_MS} ms for network idle (XHR-driven
 *   content), within the crawl's per-request deadline, and returns the serialised DOM.
 * Errors: `render` never throws; a failure (browser missing, timeout, crash) is `{ html: null, error }` and the
 * crawler keeps the static HTML. Requires the `playwright-core` package (imported on first use).
 */
import { CHROMIUM_BASE_ARGS, chromiumPath } from "@/lib/core/chromium";
import { originOf } from "@/lib/core/url";
import type { Fetcher, FetchResult } from "./fetch";

/** The project's Chromium flags (lib/core/chromium.ts), plus a resolver that fails every name. */
export const CHROMIUM_ARGS = [
  ...CHROMIUM_BASE_ARGS,
  // Defence in depth behind request interception (see module doc).
  "--host-resolver-rules=MAP * ~NOTFOUND",
];
/** Longest wait for network idle after `load`, ms. */
export const NETWORK_IDLE_MS = 3_000;
/** Resource types fulfilled for the crawl's own origin; everything else is aborted. */
const ADMITTED_TYPES = new Set(["document", "script", "xhr", "fetch"]);
/** Response fields not passed to the browser: the body is already decoded, and framing is Playwright's job. */
const DROPPED_HEADERS = new Set(["content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"]);

export type RenderResult = {
  /** Serialised DOM after scripts ran, or null on failure. */
  html: string | null;
  /** Status of the main document response in the browser, or null. */
  status: number | null;
  error?: string;
};

export type Renderer = {
  /**
   * Renders `url`. `prefetched` (the crawler's own response for `url`) is served to the browser as the main
   * document, so the page is not downloaded twice.
   */
  render(url: string, prefetched?: FetchResult): Promise<RenderResult>;
  /** Requests the browser made that were refused (other origins, disallowed types, robots.txt). */
  blockedRequests(): number;
  /** Closes pages and the browser; idempotent. */
  close(): Promise<void>;
};

/** What a renderer needs from the crawl. */
export type RendererOptions = {
  /** The crawl's guarded fetcher; it attaches the site's credentials to same-origin requests only. */
  fetcher: Pick<Fetcher, "fetch">;
  /** `scheme://host[:port]` of the crawl; the only origin the browser may load from. */
  origin: string;
  userAgent: string;
  /** Total time per render, ms. */
  timeoutMs: number;
  /** robots.txt check for subresources (absolute URL → allowed). */
  isAllowed?: (url: string) => boolean;
  /** Tabs open at most (the pool). Default 2. */
  pages?: number;
  executablePath?: string;
};

type PwBrowser = import("playwright-core").Browser;
type PwContext = import("playwright-core").BrowserContext;
type PwPage = import("playwright-core").Page;

/** Creates a renderer; nothing is launched until the first `render`. Never throws. */
export function createRenderer(opts: RendererOptions): Renderer {
  const poolSize = Math.max(1, opts.pages ?? 2);
  let browser: PwBrowser | null = null;
  let context: PwContext | null = null;
  let starting: Promise<PwContext> | null = null;
  let closed = false;
  let blocked = 0;
  const idle: PwPage[] = [];
  let open = 0;
  const waiters: ((p: PwPage | null) => void)[] = [];
  const documents = new Map<string, FetchResult>();

  const start = (): Promise<PwContext> =>
    (starting ??= (async () => {
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({
        executablePath: opts.executablePath ?? chromiumPath(),
        args: CHROMIUM_ARGS,
        headless: true,
        // Anything not intercepted would have to go through this proxy: a closed port on loopback.
        proxy: { server: "http://127.0.0.1:9", bypass: "<-loopback>" },
        timeout: 30_000,
      });
      const ctx = await browser.newContext({
        userAgent: opts.userAgent,
        serviceWorkers: "block",
        acceptDownloads: false,
        javaScriptEnabled: true,
      });
      await ctx.route("**/*", async (route) => {
        const req = route.request();
        const url = req.url();
        if (req.method() !== "GET" || !ADMITTED_TYPES.has(req.resourceType()) || originOf(url) !== opts.origin) {
          blocked++;
          return route.abort("blockedbyclient").catch(() => {});
        }
        const hash = url.indexOf("#");
        const clean = hash >= 0 ? url.slice(0, hash) : url;
        if (opts.isAllowed && !opts.isAllowed(clean)) {
          blocked++;
          return route.abort("blockedbyclient").catch(() => {});
        }
        let res = req.resourceType() === "document" ? documents.get(clean) : undefined;
        if (res) documents.delete(clean);
        else res = await opts.fetcher.fetch(clean, { accept: req.headers()["accept"], readBody: () => true });
        if (res.status === null || (res.error && res.error.code !== "body_too_large")) {
          return route.abort("failed").catch(() => {});
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (!DROPPED_HEADERS.has(k)) headers[k] = Array.isArray(v) ? v.join(k === "set-cookie" ? "\n" : ", ") : v;
        }
        return route.fulfill({ status: res.status, headers, body: res.body ?? Buffer.alloc(0) }).catch(() => {});
      });
      context = ctx;
      return ctx;
    })());

  const acquire = async (): Promise<PwPage | null> => {
    const ctx = await start();
    if (closed) return null;
    const ready = idle.pop();
    if (ready) return ready;
    if (open < poolSize) {
      open++;
      try {
        return await ctx.newPage();
      } catch (e) {
        open--;
        throw e;
      }
    }
    return new Promise((resolve) => waiters.push(resolve));
  };
  const release = (page: PwPage, broken: boolean) => {
    if (broken || closed) {
      open--;
      page.close().catch(() => {});
      // A waiter may now open a fresh page.
      const w = waiters.shift();
      if (w) {
        if (closed || !context) return w(null);
        open++;
        context.newPage().then(w, () => ((open--), w(null)));
      }
      return;
    }
    const w = waiters.shift();
    if (w) w(page);
    else idle.push(page);
  };

  return {
    async render(url, prefetched) {
      if (closed) return { html: null, status: null, error: "renderer closed" };
      let page: PwPage | null = null;
      let broken = false;
      const t0 = performance.now();
      try {
        page = await acquire();
        if (!page) return { html: null, status: null, error: "renderer closed" };
        if (prefetched && prefetched.body) documents.set(url, prefetched);
        const response = await page.goto(url, { waitUntil: "load", timeout: opts.timeoutMs });
        const left = opts.timeoutMs - (performance.now() - t0);
        if (left > 0) await page.waitForLoadState("networkidle", { timeout: Math.min(NETWORK_IDLE_MS, left) }).catch(() => {});
        const html = await page.content();
        return { html, status: response?.status() ?? null };
      } catch (e) {
        broken = true;
        return { html: null, status: null, error: e instanceof Error ? e.message.split("\n")[0] : String(e) };
      } finally {
        documents.delete(url);
        if (page) {
          // Leave the page blank so the next render starts clean (and timers of this page stop).
          if (!broken) await page.goto("about:blank").catch(() => (broken = true));
          release(page, broken);
        }
      }
    },
    blockedRequests: () => blocked,
    async close() {
      if (closed) return;
      closed = true;
      for (const w of waiters.splice(0)) w(null);
      const b = browser as PwBrowser | null;
      if (!b && starting) await starting.catch(() => {});
      await (browser as PwBrowser | null)?.close().catch(() => {});
    },
  };
}
