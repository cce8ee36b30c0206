/**
 * The flow: sign up → add the locally served PostgreSQL manual → Generate → watch progress → download the
 * sitemap, which must list > 1,000 URLs (the manual has ~1,170 pages) and pass the sitemaps.org XSD.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { validateXml } from "../tests/helpers/xmllint";
import { SCREENSHOT_DIR, screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

const SITE = SITE_URL;
const RUN_TIMEOUT = 180_000;

test("generate a sitemap of the PostgreSQL manual and download it", async ({ page }, testInfo) => {
  test.setTimeout(RUN_TIMEOUT + 120_000);
  await signUp(page, uniqueEmail("flow"));
  await expect(page.getByTestId("sitemaps-empty")).toBeVisible();

  // Add the sitemap; the file name is suggested from the name.
  await page.getByTestId("add-sitemap").first().click();
  await expect(page).toHaveURL(/\/dashboard\/sitemaps\/new$/);
  await page.getByLabel("Name", { exact: true }).fill("PostgreSQL manual");
  await expect(page.getByLabel("File name")).toHaveValue("postgresql-manual");
  await page.getByLabel("Start URL").fill(SITE);
  await page.getByTestId("sitemap-submit").click();
  await expect(page).toHaveURL(/\/dashboard\/sitemaps\/(?!new)[^/]+$/);
  await expect(page.getByTestId("sitemap-title")).toHaveText("PostgreSQL manual");
  await expect(page.getByTestId("never-run")).toBeVisible();
  await expect(page.getByTestId("settings-file-name")).toHaveText("postgresql-manual.xml");

  // Generate: the live panel appears while the run is queued/running and its counters move.
  await page.getByTestId("generate-button").first().click();
  const progress = page.getByTestId("run-progress");
  await expect(progress).toBeVisible();
  await expect(page.getByTestId("generate-button").first()).toBeDisabled();
  await expect(progress.locator("[data-status=running]")).toBeVisible({ timeout: 60_000 });
  await expect
    .poll(async () => Number((await page.getByTestId("progress-pages-fetched").textContent())?.replace(/\D/g, "") || 0), {
      timeout: 60_000,
    })
    .toBeGreaterThan(0);
  await expect(page.getByTestId("run-progress-bar")).toHaveAttribute("aria-valuenow", /\d+/);
  await screenshot(page, "run-progress");
  // A fuller bar makes a better picture: retake it a few hundred pages in, if the run is still going by then.
  const further = await page
    .waitForFunction(() => {
      const el = document.querySelector('[data-testid="progress-pages-fetched"]');
      return !el || Number(el.textContent?.replace(/\D/g, "")) >= 300;
    }, null, { timeout: 30_000 })
    .then(() => true, () => false);
  if (further && (await progress.isVisible())) await screenshot(page, "run-progress");

  // The run finishes and the panel turns into the result.
  const result = page.getByTestId("run-result");
  await expect(result).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(progress).toHaveCount(0);
  await expect(result).toHaveAttribute("data-status", "succeeded");
  const listed = Number((await page.getByTestId("result-urls-listed").textContent())?.replace(/\D/g, ""));
  expect(listed).toBeGreaterThan(1_000);
  await expect(page.getByTestId("result-duration")).not.toHaveText("—");

  // Published files: <fileName>.xml with its URL count, and the public sitemap URL.
  const fileRow = page.getByTestId("file-row").filter({ has: page.getByTestId("file-name").getByText("postgresql-manual.xml", { exact: true }) });
  await expect(fileRow).toBeVisible();
  await expect(fileRow.getByTestId("file-url-count")).toHaveText(listed.toLocaleString("en-US"));
  await expect(page.getByTestId("public-sitemap-url")).toContainText("/postgresql-manual.xml");
  await expect(page.getByTestId("run-history-row")).toHaveCount(1);
  await screenshot(page, "run-finished");

  // Download it and check it the way a search engine would.
  const [download] = await Promise.all([page.waitForEvent("download"), fileRow.getByTestId("file-download").click()]);
  expect(download.suggestedFilename()).toBe("postgresql-manual.xml");
  const file = testInfo.outputPath("postgresql-manual.xml");
  await download.saveAs(file);
  const xml = fs.readFileSync(file, "utf8");
  const locs = xml.match(/<loc>[^<]+<\/loc>/g) ?? [];
  expect(locs.length).toBe(listed);
  expect(locs.length).toBeGreaterThan(1_000);
  expect(locs.every((l) => l.startsWith(`<loc>${SITE}`))).toBe(true);
  await validateXml(file, "urlset");
  fs.copyFileSync(file, path.join(SCREENSHOT_DIR, "postgresql-manual.xml"));

  // The list shows the finished run.
  await page.getByRole("link", { name: "Sitemaps", exact: true }).click();
  const row = page.getByTestId("sitemap-row").filter({ hasText: "PostgreSQL manual" });
  await expect(row.getByTestId("sitemap-status").locator("[data-status=succeeded]")).toBeVisible();
  await expect(row.getByTestId("sitemap-urls")).toHaveText(listed.toLocaleString("en-US"));
  await screenshot(page, "dashboard-list");
});
