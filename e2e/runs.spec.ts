/**
 * Runs log: real runs of two sitemaps of the served PostgreSQL manual; filters (status, sitemap, trigger, date),
 * cursor pagination with Previous/Next, and Cancel of a running run from the log.
 */
import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

test("runs log: filters, pagination and cancel against real runs", async ({ page }) => {
  test.setTimeout(300_000);
  await signUp(page, uniqueEmail("runs"));
  const origin = new URL(page.url()).origin;
  const post = async (path: string, data?: unknown) => {
    const r = await page.request.post(path, { data, headers: { Origin: origin } });
    return { status: r.status(), body: await r.json() };
  };
  const small = await post("/api/v1/sitemaps", { name: "Small manual", startUrl: SITE_URL, fileName: "small", crawl: { maxPages: 5 } });
  const big = await post("/api/v1/sitemaps", { name: "Big manual", startUrl: SITE_URL, fileName: "big", crawl: { maxPages: 5000, concurrency: 1 } });
  expect([small.status, big.status]).toEqual([201, 201]);

  // Five finished runs of the small sitemap (generate ?wait answers when the run has ended), oldest first.
  const smallRuns: string[] = [];
  for (let i = 0; i < 5; i++) {
    const g = await post(`/api/v1/sitemaps/${small.body.data.id}/generate?wait=90`);
    expect(g.body.data.status).toBe("succeeded");
    smallRuns.push(g.body.data.id);
  }
  const bigRun = await post(`/api/v1/sitemaps/${big.body.data.id}/generate`);
  expect(bigRun.status).toBe(202);

  await page.getByRole("link", { name: "Runs", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard\/runs$/);
  const rows = page.getByTestId("run-row");
  await expect(rows).toHaveCount(6);
  await expect(rows.first()).toHaveAttribute("data-run-id", bigRun.body.data.id); // newest first

  // Cancel the big run from the log; it ends `cancelled` (the page polls while it is active).
  const bigRow = page.locator(`[data-testid="run-row"][data-run-id="${bigRun.body.data.id}"]`);
  await bigRow.getByTestId("cancel-run").click();
  await expect(bigRow).toHaveAttribute("data-status", "cancelled", { timeout: 60_000 });
  await expect(bigRow.getByTestId("cancel-run")).toHaveCount(0);

  // Filters: status, sitemap, trigger, date.
  await page.getByLabel("Status", { exact: true }).selectOption("cancelled");
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("run-sitemap")).toHaveText("Big manual");
  await page.getByLabel("Status", { exact: true }).selectOption("succeeded");
  await expect(rows).toHaveCount(5);
  await page.getByLabel("Sitemap", { exact: true }).selectOption({ label: "Big manual" });
  await expect(page.getByTestId("runs-empty")).toHaveText("No runs match these filters.");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(rows).toHaveCount(6);
  const trigger = await rows.first().getAttribute("data-trigger");
  await page.getByLabel("Trigger").selectOption(trigger!);
  await expect(rows).toHaveCount(6);
  await page.getByLabel("Trigger").selectOption("schedule");
  await expect(page.getByTestId("runs-empty")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("From (UTC)").fill(tomorrow);
  await expect(page.getByTestId("runs-empty")).toBeVisible();
  await page.getByLabel("From (UTC)").fill(today);
  await page.getByLabel("To (UTC)").fill(today);
  await expect(rows).toHaveCount(6);
  await screenshot(page, "runs");

  // Pagination: 5 per page → 5 + 1, oldest first puts the cancelled run last.
  await page.getByLabel("Per page").selectOption("5");
  await page.getByLabel("Order").selectOption("createdAt:asc");
  await expect(rows.first()).toHaveAttribute("data-run-id", smallRuns[0]);
  await expect(rows).toHaveCount(5);
  await expect(page.getByTestId("runs-page")).toHaveText("Page 1");
  const firstPage = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id")));
  expect(firstPage).toEqual(smallRuns);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("runs-page")).toHaveText("Page 2");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-run-id", bigRun.body.data.id);
  await expect(page.getByRole("button", { name: "Next" })).toBeDisabled();
  await page.getByRole("button", { name: "Previous" }).click();
  await expect(page.getByTestId("runs-page")).toHaveText("Page 1");
  await expect(rows).toHaveCount(5);
  expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id")))).toEqual(firstPage);
  expect(firstPage).not.toContain(bigRun.body.data.id);
});
