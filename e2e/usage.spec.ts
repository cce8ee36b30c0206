/**
 * Usage against the plan: API-key calls and a real run's credit debit (a small crawl of the served PostgreSQL
 * manual) show up on /dashboard/usage as today's bar, the quota bar, the balance and the debit row.
 */
import { expect, test } from "@playwright/test";
import { apiClient, waitForRun } from "./api";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

test("usage page: calls per day against the quota, rate limit, credits and the run's debit", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, uniqueEmail("usage"));

  // Before any API call: zero today, the Starter plan's limits, the full balance, no debits.
  await page.getByRole("link", { name: "Usage", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard\/usage$/);
  await expect(page.getByTestId("usage-plan")).toHaveText("Starter plan");
  await expect(page.getByTestId("usage-calls-today")).toHaveText("0");
  await expect(page.getByTestId("usage-rate-limit")).toHaveText("60 / min");
  await expect(page.getByTestId("usage-credit-balance")).toHaveText("1,000");
  await expect(page.getByTestId("debits-empty")).toBeVisible();
  await expect(page.getByTestId("usage-bar")).toHaveCount(14);

  // Real API-key traffic: create a sitemap limited to 30 pages, generate it, poll the run to the end.
  const api = await apiClient(page, "usage e2e");
  const created = await api.post("/api/v1/sitemaps", { name: "Usage manual", startUrl: SITE_URL, fileName: "usage-manual", crawl: { maxPages: 30 } });
  expect(created.status).toBe(201);
  const gen = await api.post(`/api/v1/sitemaps/${created.body.data.id}/generate`);
  expect(gen.status).toBe(202);
  const run = await waitForRun(api, gen.body.data.id);
  expect(run.status).toBe("succeeded");
  expect(run.progress.pagesFetched).toBeLessThanOrEqual(30);
  for (let i = 0; i < 5; i++) expect((await api.get("/api/v1/sitemaps")).status).toBe(200);
  const calls = api.calls();

  // The dashboard's own requests are not counted: exactly our Bearer calls show for today.
  await page.reload();
  await expect(page.getByTestId("usage-calls-today")).toHaveText(String(calls));
  await expect(page.getByTestId("quota-bar")).toHaveAttribute("aria-valuenow", String(calls));
  await expect(page.getByTestId("quota-bar")).toHaveAttribute("aria-valuemax", "1000");
  const today = new Date().toISOString().slice(0, 10);
  const todayBar = page.getByTestId("usage-bar").last();
  await expect(todayBar).toHaveAttribute("data-date", today);
  await expect(todayBar).toHaveAttribute("data-calls", String(calls));
  await expect(page.getByRole("listitem", { name: new RegExp(`: ${calls} calls$`) })).toHaveCount(1);
  await expect(page.getByTestId("usage-total-calls")).toHaveText(String(calls));

  // 30 pages → 1 credit, debited from 1,000.
  await expect(page.getByTestId("usage-credit-balance")).toHaveText("999");
  await expect(page.getByTestId("usage-last-cost")).toHaveText("1 credit");
  const debit = page.getByTestId("debit-row");
  await expect(debit).toHaveCount(1);
  await expect(debit).toContainText("Usage manual");
  await expect(debit).toContainText(`#${run.number}`);
  await expect(debit.getByTestId("debit-credits")).toHaveText("−1");
  await expect(page.getByTestId("plan-row").filter({ hasText: "Your plan" })).toContainText("Starter");

  // Against the quota the bar is a sliver under the quota line; zoomed, the same numbers fill the chart.
  await expect(page.getByTestId("usage-quota-line")).toBeVisible();
  await screenshot(page, "usage-quota");
  await page.getByRole("button", { name: "Zoom to usage" }).click();
  await expect(page.getByRole("button", { name: "Zoom to usage" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("usage-quota-line")).toHaveCount(0);
  await screenshot(page, "usage");

  // A longer period keeps today's count.
  await page.getByLabel("Period").selectOption("30");
  await expect(page.getByTestId("usage-bar")).toHaveCount(30);
  await expect(page.getByTestId("usage-bar").last()).toHaveAttribute("data-calls", String(calls));
});
