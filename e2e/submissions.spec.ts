/**
 * Submission on a sitemap's page: disabled before anything is published; the IndexNow key instructions; Submit
 * records an honest per-step log (robots.txt check, IndexNow requests: this machine is offline, so they fail and say
 * why) that the page polls until the batch is finished.
 */
import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

test("submission: IndexNow key instructions, Submit, and the per-engine log", async ({ page }) => {
  test.setTimeout(240_000);
  await signUp(page, uniqueEmail("submit"));
  const origin = new URL(page.url()).origin;
  const created = await page.request.post("/api/v1/sitemaps", {
    data: { name: "Submitted manual", startUrl: SITE_URL, fileName: "submitted", crawl: { maxPages: 25 } },
    headers: { Origin: origin },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).data.id as string;
  await page.goto(`/dashboard/sitemaps/${id}`);

  const panel = page.getByTestId("submissions-panel");
  await expect(panel.getByTestId("submit-button")).toBeDisabled();
  await expect(panel.getByTestId("submissions-empty")).toContainText("Nothing to submit");

  // The key file to host on the site and the robots.txt line.
  await panel.getByTestId("indexnow-help-toggle").click();
  const key = (await panel.getByTestId("indexnow-key").textContent())!.trim();
  expect(key).toMatch(/^[a-zA-Z0-9-]{8,128}$/);
  await expect(panel.getByTestId("indexnow-key-location")).toHaveText(`${SITE_URL}${key}.txt`);

  await page.getByTestId("generate-button").first().click();
  await expect(page.getByTestId("run-result")).toHaveAttribute("data-status", "succeeded", { timeout: 180_000 });
  await expect(panel.getByTestId("submissions-empty")).toHaveText("Not submitted yet.");
  await expect(panel.getByTestId("indexnow-robots-line")).toContainText("Sitemap: ");
  await expect(panel.getByTestId("indexnow-robots-line")).toContainText("/submitted.xml");

  await panel.getByTestId("submit-button").click();
  const batch = panel.locator('[data-testid="submission-row"][data-engine="batch"]');
  await expect(batch).toHaveCount(1);
  // The page polls until the batch has an outcome (offline: IndexNow retries with back-off, then fails).
  await expect(batch).not.toHaveAttribute("data-status", "pending", { timeout: 120_000 });
  await expect(panel.getByTestId("submit-button")).toBeEnabled();
  const robots = panel.locator('[data-testid="submission-row"][data-engine="robots.txt"]');
  await expect(robots).toHaveCount(1);
  await expect(robots).not.toHaveAttribute("data-status", "ok"); // the manual's robots.txt has no Sitemap: line for us
  const rows = panel.getByTestId("submission-row");
  const statuses = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-status")));
  expect(statuses.every((s) => s === "ok" || s === "failed" || s === "skipped")).toBe(true);

  // The page shows exactly the API's log.
  const log = (await (await page.request.get(`/api/v1/sitemaps/${id}/submissions?size=50`)).json()).data;
  await expect(rows).toHaveCount(log.length);
  await screenshot(page, "submissions");
});
