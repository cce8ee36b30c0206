/**
 * Next.js startup hook (instrumentation.ts, called once per server process before it serves requests).
 *
 * In the Node.js runtime:
 * 1. Fills NEXTAUTH_URL from APP_URL when only APP_URL is set (next-auth's redirects follow NEXTAUTH_URL), then
 *    checks the configuration (lib/config/check-env.ts). A bad variable ends the process with exit code 2 and a
 *    message naming it: Next would otherwise keep listening and answer every request with an empty 500.
 *    (`npm start` runs the same check before building; this covers `next start` run by hand.)
 * 2. Records each request's TCP peer address for the per-address limits (lib/api/client-ip.ts), and counts the
 *    requests in flight for the crawl worker's foreground-first deferral (lib/runs/foreground.ts).
 * 3. With INNGEST_MODE=local (the default), starts the embedded Inngest runner (lib/jobs/start-local.ts), which
 *    resumes unfinished jobs and runs the cron schedule; with APP_ROLE=web it only stores the job runs of the events
 *    this instance sends, and worker instances on the same database execute them (lib/env.ts APP_ROLE). With INNGEST_MODE=inngest an Inngest server drives the jobs
 *    and nothing starts here. A runner that fails to start (e.g. database unreachable) is logged, not thrown: the site
 *    keeps serving, jobs stay queued in the DB, and the next start resumes them. With the `http` transport (next
 *    dev), the runner reaches the route through this server. So the server must be listening first, and register()
 *    does not wait for it.
 * The imports sit inside the NEXT_RUNTIME check so the edge bundle leaves out the runner (Prisma, node:*).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    if (process.env.NEXT_PHASE === "phase-production-build") return;
    const { applyAuthUrlDefault, exitOnInvalidEnvironment } = await import("@/lib/config/check-env");
    applyAuthUrlDefault();
    exitOnInvalidEnvironment();
    const { installSocketAddressHeader } = await import("@/lib/api/client-ip");
    installSocketAddressHeader();
    // Counts HTTP requests in flight, so the crawl worker can let them go first (lib/runs/foreground.ts).
    const { installForegroundCounter } = await import("@/lib/runs/foreground");
    installForegroundCounter();
    if ((process.env.INNGEST_MODE?.trim().toLowerCase() || "local") !== "local") return;
    const { startLocalRunner, localTransport } = await import("@/lib/jobs/start-local");
    const { getEnv } = await import("@/lib/env");
    const { APP_ROLE, INNGEST_LOCAL_TEST_CRON } = getEnv();
    // The route is passed in, so lib/ never imports app/.
    const started = startLocalRunner({
      route: () => import("@/app/api/inngest/route"),
      execute: APP_ROLE !== "web",
      ...(INNGEST_LOCAL_TEST_CRON ? { cronPatternOverride: INNGEST_LOCAL_TEST_CRON } : {}),
    }).catch((err) => {
      console.error("[inngest-local] the job runner did not start; jobs will not run in this process", err);
    });
    if (localTransport() === "in-process") await started;
  }
}
