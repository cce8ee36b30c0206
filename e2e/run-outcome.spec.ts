/**
 * A failed run says why, and a truncated run says so, in the dashboard: a start URL that answers 404 (the served
 * PostgreSQL manual, a page it lacks) shows its code, message and hint on the sitemap page and in the runs log; a run
 * cut short by maxPages shows the amber "Incomplete" badge and its warning. Screenshots in test-results/screenshots/.
 */
import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

test("failure causes and partial-run warnings are visible where the run status is", async ({ page }) => {
  test.setTimeout(240_000);
  await signUp(page, uniqueEmail("outcome"));
  const origin = new URL(page.url()).origin;
  const post = async (path: string, data?: unknown) => {
    const r = await page.request.post(path, { data, headers: { Origin: origin } });
    return { status: r.status(), body: await r.json() };
  };
  const missing = await post("/api/v1/sitemaps", { name: "Typo in the path", startUrl: `${SITE_URL}no-such-page.html`, fileName: "missing" });
  const small = await post("/api/v1/sitemaps", { name: "Five pages", startUrl: SITE_URL, fileName: "five", crawl: { maxPages: 5 } });
  expect([missing.status, small.status]).toEqual([201, 201]);

  const failed = await post(`/api/v1/sitemaps/${missing.body.data.id}/generate?wait=90`);
  expect(failed.body.data).toMatchObject({ status: "failed", errorCode: "start_url_http_error", errorDetail: { status: 404 } });
  const partial = await post(`/api/v1/sitemaps/${small.body.data.id}/generate?wait=90`);
  expect(partial.body.data).toMatchObject({ status: "succeeded", warnings: ["max_pages_reached"] });

  // The sitemap page of the failed run: message, hint and code.
  await page.goto(`/dashboard/sitemaps/${missing.body.data.id}`);
  const error = page.getByTestId("run-error");
  await expect(error).toContainText("answered HTTP 404");
  await expect(page.getByTestId("run-error-hint")).toContainText("typo in the path");
  await expect(page.getByTestId("run-error-code")).toHaveText("start_url_http_error");
  await screenshot(page, "run-failed-cause");

  // The sitemap page of the truncated run: the Incomplete badge and the warning.
  await page.goto(`/dashboard/sitemaps/${small.body.data.id}`);
  await expect(page.getByTestId("run-result").getByTestId("run-warnings-badge")).toBeVisible();
  await expect(page.getByTestId("run-warnings")).toContainText("Stopped at maxPages");
  await screenshot(page, "run-partial-warning");

  // The runs log and the sitemaps list show both where the status badge is.
  await page.goto("/dashboard/runs");
  const failedRow = page.locator(`[data-testid="run-row"][data-run-id="${failed.body.data.id}"]`);
  await expect(failedRow.getByTestId("run-cause")).toHaveAttribute("data-code", "start_url_http_error");
  const partialRow = page.locator(`[data-testid="run-row"][data-run-id="${partial.body.data.id}"]`);
  await expect(partialRow.getByTestId("run-warnings-badge")).toHaveAttribute("data-warnings", "max_pages_reached");
  await screenshot(page, "runs-log-outcomes");
  await page.goto("/dashboard");
  await expect(page.getByTestId("run-warnings-badge")).toHaveCount(1);
  await expect(page.getByTestId("run-cause")).toHaveCount(1);
});
