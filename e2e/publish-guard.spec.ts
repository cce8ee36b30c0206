/**
 * Publish guard in the dashboard: a sitemap of the served PostgreSQL manual is published, then a run that lists far
 * fewer URLs (maxPages lowered, as if half the site had vanished) is held: the sitemap page shows the Held badge, the
 * reason with both counts, and "Publish anyway", which publishes it.
 */
import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

test("a run that loses most URLs is held; Publish anyway publishes it", async ({ page }) => {
  test.setTimeout(240_000);
  await signUp(page, uniqueEmail("guard"));
  const origin = new URL(page.url()).origin;
  const call = async (method: "post" | "patch", path: string, data?: unknown) => {
    const r = await page.request[method](path, { data, headers: { Origin: origin } });
    return { status: r.status(), body: await r.json() };
  };
  const sm = await call("post", "/api/v1/sitemaps", { name: "Guarded manual", startUrl: SITE_URL, fileName: "guarded", crawl: { maxPages: 60 } });
  expect(sm.status).toBe(201);
  const id = sm.body.data.id as string;
  const first = await call("post", `/api/v1/sitemaps/${id}/generate?wait=90`);
  expect(first.body.data.status).toBe("succeeded");
  const before = first.body.data.progress.urlsListed as number;

  expect((await call("patch", `/api/v1/sitemaps/${id}`, { crawl: { maxPages: 10 } })).status).toBe(200);
  const second = await call("post", `/api/v1/sitemaps/${id}/generate?wait=90`);
  expect(second.body.data).toMatchObject({ status: "held", heldDetail: { publishedRunId: first.body.data.id, publishedCount: before } });

  await page.goto(`/dashboard/sitemaps/${id}`);
  const result = page.getByTestId("run-result");
  await expect(result).toHaveAttribute("data-status", "held");
  await expect(page.getByTestId("run-result-status")).toHaveText("Held");
  await expect(page.getByTestId("run-held-reason")).toContainText(`fewer than the ${before} of the published run`);
  await expect(page.getByTestId("run-held-counts")).toContainText(`Published run: ${before} URLs`);
  await screenshot(page, "publish-guard-held");

  await page.getByTestId("publish-anyway").click();
  await expect(result).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("run-held")).toHaveCount(0);
  const now = await (await page.request.get(`/api/v1/sitemaps/${id}`)).json();
  expect(now.data.publishedRunId).toBe(second.body.data.id);
  await screenshot(page, "publish-guard-published");
});
