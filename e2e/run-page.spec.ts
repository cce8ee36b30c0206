/**
 * The run page (/dashboard/runs/{id}) on real runs of the served PostgreSQL manual: reached from the runs log, the run
 * history and the sitemap page; the summary agrees with the API; an exclusion reason opens the URL table filtered by
 * it; filters, server-side pages, the "found on" link and the CSV download; the changes against the previously
 * published run listed with their URLs; a failed run's cause; "Run not found" for an unknown id and for another
 * account's run; the duplicate clusters and the audit of the site's own sitemaps agree with the API. Screenshots:
 * run-page*.png in test-results/screenshots/; those the docs show (summary, table filtered by a reason, changes,
 * duplicates, audit) also in docs/screenshots/ (1280×860 viewport, or the card clipped from the page).
 */
import { expect, test, type Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { SCREENSHOT_DIR, screenshot, signUp, uniqueEmail } from "./helpers";
import { ROOT, SITE_URL } from "./realsite";

/** Screenshots committed with the docs (docs/dashboard.md): small PNGs of the 1280×860 viewport or one card. */
const DOCS_SHOTS = path.join(ROOT, "docs", "screenshots");

/** Saves the viewport as run-page-<name>.png in test-results/screenshots/ and docs/screenshots/. */
async function docShot(page: Page, name: string) {
  fs.mkdirSync(DOCS_SHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  const png = await page.screenshot({ path: path.join(SCREENSHOT_DIR, `run-page-${name}.png`) });
  fs.writeFileSync(path.join(DOCS_SHOTS, `run-page-${name}.png`), png);
}

/**
 * Saves one card (by test id) clipped from a full-page shot taken at the top (an element shot scrolls it under the
 * sticky bar), as run-page-<name>.png in test-results/screenshots/ and docs/screenshots/; at most 860 px high.
 */
async function cardShot(page: Page, testId: string, name: string) {
  fs.mkdirSync(DOCS_SHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = (await page.getByTestId(testId).boundingBox())!;
  const clip = { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: Math.min(box.height + 16, 860) };
  const png = await page.screenshot({ path: path.join(SCREENSHOT_DIR, `run-page-${name}.png`), fullPage: true, clip });
  fs.writeFileSync(path.join(DOCS_SHOTS, `run-page-${name}.png`), png);
}

type RunBody = {
  id: string;
  number: number;
  status: string;
  progress: { pagesFetched: number; urlsListed: number; urlsExcluded: number };
  excludedByReason: Record<string, number>;
  diff: { added: number; removed: number; changed: number };
  error: string | null;
  errorCode?: string | null;
  warnings?: string[];
  audit: { found: boolean; issues: number; counts: Record<string, number>; href: string } | null;
};

const digits = async (page: Page, testId: string) => Number((await page.getByTestId(testId).textContent())?.replace(/\D/g, "") || NaN);

test("run page: summary, excluded reasons, URL table, changes, not found", async ({ page, browser }, testInfo) => {
  test.setTimeout(420_000);
  await signUp(page, uniqueEmail("runpage"));
  const origin = new URL(page.url()).origin;
  const api = async (method: "post" | "patch" | "get", path: string, data?: unknown) => {
    const r = await page.request[method](path, { data, headers: { Origin: origin } });
    return { status: r.status(), body: await r.json() };
  };

  // Two runs of one sitemap: 60 pages, then 45, so the second run's changes include removed URLs (a 25 % drop stays
  // under the default publish guard of 30 %, so the second run is published, not held).
  const sm = await api("post", "/api/v1/sitemaps", { name: "Manual", startUrl: SITE_URL, fileName: "manual", crawl: { maxPages: 60 } });
  expect(sm.status).toBe(201);
  const sitemapId: string = sm.body.data.id;
  const first = await api("post", `/api/v1/sitemaps/${sitemapId}/generate?wait=120`);
  expect(first.body.data.status).toBe("succeeded");
  expect((await api("patch", `/api/v1/sitemaps/${sitemapId}`, { crawl: { maxPages: 45 } })).status).toBe(200);
  const second = await api("post", `/api/v1/sitemaps/${sitemapId}/generate?wait=120`);
  expect(second.body.data.status).toBe("succeeded");
  const run: RunBody = (await api("get", `/api/v1/runs/${second.body.data.id}`)).body.data;
  expect(run.diff.removed).toBeGreaterThan(0);
  expect(run.excludedByReason.max_pages).toBeGreaterThan(50);

  // From the runs log: the run number opens the run page.
  await page.getByRole("link", { name: "Runs", exact: true }).click();
  await page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`).getByTestId("run-link").click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/runs/${run.id}$`));
  await expect(page.getByTestId("run-title")).toHaveText(`Run #${run.number}`);
  await expect(page.getByTestId("run-status").locator("[data-status]")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("run-published")).toBeVisible();
  await expect(page.getByTestId("run-sitemap-link")).toHaveText("Manual");

  // The summary agrees with the API; a partial run's warnings are shown when the server records them.
  expect(await digits(page, "summary-pages-fetched")).toBe(run.progress.pagesFetched);
  expect(await digits(page, "summary-urls-listed")).toBe(run.progress.urlsListed);
  expect(await digits(page, "summary-urls-excluded")).toBe(run.progress.urlsExcluded);
  await expect(page.getByTestId("summary-trigger")).toHaveText("Dashboard"); // started with the session cookie
  if (run.warnings?.length) await expect(page.getByTestId("run-warnings").locator("li")).toHaveCount(run.warnings.length);
  else await expect(page.getByTestId("run-warnings")).toHaveCount(0);
  await docShot(page, "summary");

  // The URL table: 50 a page in URL order, Next / Previous over the cursors.
  const rows = page.getByTestId("run-url-row");
  await expect(rows).toHaveCount(50);
  const firstPage = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-url")));
  expect([...firstPage].sort()).toEqual(firstPage);
  await screenshot(page, "run-page");
  await page.getByRole("navigation", { name: "URL pages" }).getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("run-urls-page")).toHaveText("Page 2");
  await expect(rows.first()).not.toHaveAttribute("data-url", firstPage[0]!);
  const secondFirst = await rows.first().getAttribute("data-url");
  expect(secondFirst! > firstPage[49]!).toBe(true);
  await page.getByRole("navigation", { name: "URL pages" }).getByRole("button", { name: "Previous" }).click();
  await expect(page.getByTestId("run-urls-page")).toHaveText("Page 1");
  await expect(rows.first()).toHaveAttribute("data-url", firstPage[0]!);

  // An exclusion reason opens the table filtered by it (the filter is in the page URL).
  await page.locator('[data-testid="excluded-row"][data-reason="max_pages"]').getByTestId("excluded-link").click();
  await expect(page).toHaveURL(/\?reason=max_pages#run-urls$/);
  await expect(page.getByLabel("Result")).toHaveValue("reason:max_pages");
  await expect(rows.first()).toHaveAttribute("data-reason", "max_pages");
  await expect.poll(() => rows.evaluateAll((els) => els.every((e) => e.getAttribute("data-reason") === "max_pages"))).toBe(true);
  // The viewport as the user sees it after the link scrolled to the table (a full-page shot would show the sticky bar mid-page).
  await docShot(page, "filtered");

  // CSV download of the whole filtered inventory: a header and one line per URL left out for that reason.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("run-urls-csv").click()]);
  const csvFile = testInfo.outputPath("run-urls.csv");
  await download.saveAs(csvFile);
  const lines = fs.readFileSync(csvFile, "utf8").split(/\r?\n/).filter(Boolean);
  expect(lines[0]).toMatch(/url/i);
  expect(lines.length - 1).toBe(run.excludedByReason.max_pages);

  // "Found on": the first page that linked the URL; the link shows that page's own row.
  const foundOn = rows.first().getByTestId("run-url-found-on");
  const referrer = (await foundOn.getAttribute("title"))!.replace(/^Found on (.*): show its row$/, "$1");
  expect(referrer.startsWith(SITE_URL)).toBe(true);
  await foundOn.click();
  await expect(page.getByLabel("URL contains")).toHaveValue(referrer);
  await expect(rows.first()).toHaveAttribute("data-url", referrer); // its own row first: every other match is longer
  await expect(rows.first()).toHaveAttribute("data-listed", "true");

  // Filters: listed only, an HTTP status, a URL search; typing updates the table after a pause.
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/runs/${run.id}$`));
  await page.getByLabel("Result").selectOption("listed");
  await expect(page).toHaveURL(/listed=listed/);
  await expect(rows.first()).toHaveAttribute("data-listed", "true");
  // The previous page stays on screen while the next loads: poll until every row is a listed one.
  await expect.poll(() => rows.evaluateAll((els) => els.every((e) => e.getAttribute("data-listed") === "true"))).toBe(true);
  await page.getByLabel("HTTP status").fill("200");
  await expect(page).toHaveURL(/status=200/);
  await page.getByLabel("URL contains").fill("tutorial");
  await expect(page).toHaveURL(/q=tutorial/);
  await expect(rows.first()).toHaveAttribute("data-url", /tutorial/);
  await expect.poll(() => rows.evaluateAll((els) => els.every((e) => /tutorial/.test(e.getAttribute("data-url") ?? "")))).toBe(true);
  await page.getByLabel("HTTP status").fill("599");
  await expect(page.getByTestId("run-urls-empty")).toHaveText("No URLs match these filters.");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(rows).toHaveCount(50);

  // Order: most inlinks first (server-side, over every page), kept in the page URL.
  await page.getByLabel("Order").selectOption("inlinks:desc");
  await expect(page).toHaveURL(/sort=inlinks%3Adesc/);
  await expect
    .poll(() => rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-inlinks"))).every((n, i, a) => i === 0 || a[i - 1]! >= n)))
    .toBe(true);
  expect(Number(await rows.first().getAttribute("data-inlinks"))).toBeGreaterThan(1);
  await page.getByLabel("Order").selectOption("url:asc");
  await expect(page).toHaveURL(new RegExp(`/dashboard/runs/${run.id}$`));

  // Changes against the previously published run: counts per kind, the URLs listed with their kind.
  await expect(page.getByTestId("run-changes-count-removed")).toHaveText(String(run.diff.removed));
  await page.getByTestId("run-changes-tab-removed").click();
  const changes = page.getByTestId("run-change");
  await expect(changes.first()).toHaveAttribute("data-kind", "removed");
  await expect(changes).toHaveCount(Math.min(20, run.diff.removed));
  await cardShot(page, "run-changes", "changes");

  // Duplicate clusters: the section lists what GET /runs/{id}/duplicates lists, largest first, the kept URL first.
  type Dups = { data: { id: string; size: number; kept: string; urls: { url: string; listed: boolean; reason: string | null }[] }[] };
  const checkDuplicates = async (runId: string) => {
    const dups = (await api("get", `/api/v1/runs/${runId}/duplicates?size=10&members=10`)).body as Dups;
    const clusters = page.getByTestId("run-duplicate-cluster");
    if (dups.data.length === 0) await expect(page.getByTestId("run-duplicates-empty")).toBeVisible();
    else {
      await expect(clusters).toHaveCount(dups.data.length);
      expect(await clusters.evaluateAll((els) => els.map((e) => e.getAttribute("data-cluster")))).toEqual(dups.data.map((c) => c.id));
      const firstUrls = clusters.first().getByTestId("run-duplicate-url");
      await expect(firstUrls).toHaveCount(dups.data[0]!.urls.length);
      await expect(firstUrls.first()).toHaveAttribute("data-url", dups.data[0]!.kept);
      await expect(firstUrls.first()).toHaveAttribute("data-kept", "true");
    }
    return dups;
  };
  await checkDuplicates(run.id);

  // The audit of the site's own sitemaps: the run DTO carries it in brief, the audit card shows it in full.
  expect(run.audit).not.toBeNull();
  expect(run.audit!.href).toBe(`/api/v1/runs/${run.id}/audit`);
  const auditBody = (await api("get", run.audit!.href)).body as { summary: { found: boolean; counts: Record<string, number> } | null };
  expect(auditBody.summary!.counts).toEqual(run.audit!.counts);
  const auditCard = page.getByTestId("run-audit");
  await expect(auditCard).toBeVisible();
  if (!run.audit!.found) await expect(auditCard).toContainText("The site publishes no sitemap.");
  for (const [kind, n] of Object.entries(run.audit!.counts)) await expect(auditCard.locator(`[data-testid="run-audit-kind"][data-kind="${kind}"]`)).toContainText(String(n));
  await cardShot(page, "run-audit", "audit");

  // From the sitemap page: the run history and the last run's "Run details" link.
  await page.getByTestId("run-sitemap-link").click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/sitemaps/${sitemapId}$`));
  await page.getByTestId("run-details-link").click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/runs/${run.id}$`));
  await page.goBack();
  await page.locator(`[data-testid="run-history-row"][data-run-id="${first.body.data.id}"]`).getByTestId("run-history-link").click();
  await expect(page.getByTestId("run-title")).toHaveText(`Run #${first.body.data.number}`);
  await expect(page.getByTestId("run-changes-count-added")).toHaveText(String(first.body.data.progress.urlsListed)); // a first run adds every URL

  // Duplicates with collapseDuplicates on: a start URL with a query the server ignores has the same content as the
  // same page linked without it (its "Up" links), so the two form a cluster; the more linked one is listed.
  const tut = await api("post", "/api/v1/sitemaps", { name: "Tutorial", startUrl: `${SITE_URL}tutorial.html?view=e2e`, fileName: "tutorial", crawl: { maxPages: 100, collapseDuplicates: true } });
  expect(tut.status).toBe(201);
  const tutRun = await api("post", `/api/v1/sitemaps/${tut.body.data.id}/generate?wait=120`);
  expect(tutRun.body.data.status).toBe("succeeded");
  await page.goto(`/dashboard/runs/${tutRun.body.data.id}`);
  await expect(page.getByTestId("run-duplicates")).toContainText("Collapse duplicates is on");
  const tutDups = await checkDuplicates(tutRun.body.data.id);
  expect(tutDups.data.length).toBeGreaterThan(0);
  const cluster = tutDups.data.find((c) => c.urls.some((u) => u.url.endsWith("tutorial.html?view=e2e")))!;
  expect(cluster.kept).toBe(`${SITE_URL}tutorial.html`);
  expect(cluster.urls.find((u) => u.url !== cluster.kept)).toMatchObject({ listed: false, reason: "duplicate" });
  await cardShot(page, "run-duplicates", "duplicates");

  // A failed run: the error, and its code and hint when the server records them.
  const bad = await api("post", "/api/v1/sitemaps", { name: "Missing page", startUrl: `${SITE_URL}no-such-page-404.html`, fileName: "missing" });
  const failed = await api("post", `/api/v1/sitemaps/${bad.body.data.id}/generate?wait=90`);
  expect(failed.body.data.status).toBe("failed");
  // The page shows what GET /runs/{id} says (read again on each try: the stored error may still be settling).
  let failedRun: RunBody = failed.body.data;
  await expect(async () => {
    await page.goto(`/dashboard/runs/${failedRun.id}`);
    failedRun = (await api("get", `/api/v1/runs/${failedRun.id}`)).body.data;
    await expect(page.getByTestId("run-error")).toContainText(failedRun.error!, { timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  if (failedRun.errorCode) await expect(page.getByTestId("run-error-code")).toHaveText(failedRun.errorCode);
  await expect(page.getByTestId("run-changes-none")).toBeVisible();
  await screenshot(page, "run-page-failed");

  // Not found: an unknown id, and a run of another account (the API answers 404 for both).
  await page.goto("/dashboard/runs/no-such-run");
  await expect(page.getByTestId("run-not-found")).toContainText("Run not found");
  await screenshot(page, "run-page-not-found");
  const otherContext = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: testInfo.project.use.viewport });
  const other = await otherContext.newPage();
  try {
    await signUp(other, uniqueEmail("runpage-other"));
    await other.goto(`/dashboard/runs/${run.id}`);
    await expect(other.getByTestId("run-not-found")).toBeVisible();
    await expect(other.getByTestId("run-summary")).toHaveCount(0);
  } finally {
    await otherContext.close();
  }
});
