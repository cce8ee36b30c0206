/**
 * What a new user met (issue 10, item 9) in the dashboard: API-key scopes chosen and shown, a double-clicked Generate
 * that sends one request, a 409 "run already active" shown as a run in progress with a link, the sitemaps list keeping
 * the published URL count while a run works, and not-found pages instead of the framework's bare 404.
 */
import { expect, test, type Page } from "@playwright/test";
import { apiClient } from "./api";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

const generatePosts = (page: Page) => {
  const seen: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && /\/api\/v1\/sitemaps\/[^/]+\/generate/.test(r.url())) seen.push(r.url());
  });
  return seen;
};

test("API key scopes: chosen at creation, shown in the list, enforced by the API", async ({ page, request }) => {
  await signUp(page, uniqueEmail("scopes"));
  await page.goto("/dashboard/api-keys");
  await page.getByLabel("Key name").fill("read and generate");
  const picker = page.getByTestId("key-scopes");
  for (const s of ["read", "write", "generate", "submit", "templates"]) await expect(picker.getByTestId(`scope-${s}`)).toBeChecked();

  // No scope at all cannot be submitted.
  for (const s of ["read", "write", "generate", "submit", "templates"]) await picker.getByTestId(`scope-${s}`).uncheck();
  await expect(page.getByTestId("key-scopes-error")).toHaveText("Pick at least one scope.");
  await expect(page.getByTestId("create-key")).toBeDisabled();
  await picker.getByTestId("scope-read").check();
  await picker.getByTestId("scope-generate").check();
  await screenshot(page, "api-keys-scopes-form");
  await page.getByTestId("create-key").click();
  const key = (await page.getByTestId("new-key-value").textContent())?.trim() ?? "";
  const row = page.getByTestId("api-key-row").filter({ hasText: "read and generate" });
  await expect(row.getByTestId("api-key-scopes")).toHaveText("readgenerate");

  // A second key with the default (every scope) shows as "All scopes".
  await page.getByLabel("Key name").fill("everything");
  await page.getByTestId("create-key").click();
  await expect(page.getByTestId("api-key-row").filter({ hasText: "everything" }).getByTestId("api-key-scopes")).toHaveText("All scopes");
  await page.getByTestId("new-key-done").click();
  await screenshot(page, "api-keys-scopes-list");

  const auth = { Authorization: `Bearer ${key}` };
  expect((await request.get("/api/v1/sitemaps", { headers: auth })).status()).toBe(200);
  const denied = await request.post("/api/v1/sitemaps", { headers: auth, data: { name: "x", startUrl: SITE_URL, fileName: "x" } });
  expect(denied.status()).toBe(403);
  expect((await denied.json()).error).toMatchObject({ code: "forbidden", details: { scope: "write" } });
});

test("Generate: a double click sends one request; a run already active is a notice with a link, not an error", async ({ page }) => {
  test.setTimeout(300_000);
  await signUp(page, uniqueEmail("generate"));
  const api = await apiClient(page, "setup");
  const made = await api.post("/api/v1/sitemaps", { name: "Small manual", startUrl: SITE_URL, fileName: "small", crawl: { maxPages: 30 } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const a = made.body.data.id as string;

  // One call that answers when the run has ended (no polling).
  const first = await api.post(`/api/v1/sitemaps/${a}/generate?wait=120`);
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  expect(first.body.data.status).toBe("succeeded");
  const published = first.body.data.progress.urlsListed as number;
  expect(published).toBeGreaterThan(0);
  // The next run takes longer, so the list can be looked at while it works.
  expect((await api.patch(`/api/v1/sitemaps/${a}`, { crawl: { maxPages: 5000 } })).status).toBe(200);

  await page.goto("/dashboard");
  const rowA = page.getByTestId("sitemap-row").filter({ hasText: "Small manual" });
  await expect(rowA.getByTestId("sitemap-urls")).toHaveText(published.toLocaleString("en-US"));
  const posts = generatePosts(page);
  await rowA.getByTestId("generate-button").dblclick();
  await expect(rowA.getByTestId("sitemap-status")).toContainText(/queued|running/i);
  await expect(rowA.getByTestId("generate-button")).toBeDisabled();
  // The published count stays; the running run's count shows under it.
  await expect(rowA.getByTestId("sitemap-urls-running")).toBeVisible();
  await expect(rowA.getByTestId("sitemap-urls")).toHaveText(published.toLocaleString("en-US"));
  expect(posts).toHaveLength(1);
  await expect(page.getByTestId("list-action-error")).toHaveCount(0);
  // The list polls while the run works: its own count grows under the published one, which stays.
  await expect
    .poll(async () => Number((await rowA.getByTestId("sitemap-urls-running").textContent())?.replace(/\D/g, "") || 0), { timeout: 60_000 })
    .toBeGreaterThan(0);
  await expect(rowA.getByTestId("sitemap-urls")).toHaveText(published.toLocaleString("en-US"));
  await screenshot(page, "sitemaps-list-run-in-progress");

  // Another sitemap's page is open when a run of it starts elsewhere (the API, another tab): Generate answers 409.
  const other = await api.post("/api/v1/sitemaps", { name: "Other manual", startUrl: SITE_URL, fileName: "other", crawl: { maxPages: 5000 } });
  const b = other.body.data.id as string;
  await page.goto(`/dashboard/sitemaps/${b}`);
  await expect(page.getByTestId("never-run")).toBeVisible();
  const started = await api.post(`/api/v1/sitemaps/${b}/generate`);
  expect(started.status).toBe(202);
  await page.getByTestId("generate-button").first().click();
  const notice = page.getByTestId("run-in-progress");
  await expect(notice).toContainText("A run is already in progress");
  await expect(page.getByTestId("run-in-progress-link")).toHaveAttribute("href", `/dashboard/runs/${started.body.data.id}`);
  await expect(page.getByTestId("action-error")).toHaveCount(0);
  // The page picks up the run that is going.
  await expect(page.getByTestId("run-progress")).toBeVisible();
  await screenshot(page, "sitemap-run-already-in-progress");

  // Leave the machine quiet: cancel both long runs.
  const runs = await api.get(`/api/v1/runs?filter[status][in]=queued,running`);
  for (const r of runs.body.data as { id: string }[]) expect((await api.post(`/api/v1/runs/${r.id}/cancel`)).status).toBeLessThan(300);
});

test("not-found pages: unknown addresses and a deleted sitemap", async ({ page }) => {
  await signUp(page, uniqueEmail("notfound"));

  const dash = await page.goto("/dashboard/no-such-page");
  expect(dash?.status()).toBe(404);
  await expect(page.getByTestId("dashboard-not-found")).toBeVisible();
  await expect(page.getByTestId("user-email")).toBeVisible(); // the dashboard navigation stays
  await screenshot(page, "not-found-dashboard");
  await page.getByTestId("not-found-back").click();
  await expect(page).toHaveURL(/\/dashboard$/);

  const app = await page.goto("/no-such-page");
  expect(app?.status()).toBe(404);
  await expect(page.getByTestId("app-not-found")).toContainText("Page not found");
  await screenshot(page, "not-found-app");

  const api = await apiClient(page, "setup");
  const made = await api.post("/api/v1/sitemaps", { name: "Gone", startUrl: SITE_URL, fileName: "gone" });
  const id = made.body.data.id as string;
  await page.goto(`/dashboard/sitemaps/${id}`);
  await expect(page.getByTestId("sitemap-title")).toHaveText("Gone");
  const del = await page.request.delete(`/api/v1/sitemaps/${id}`, { headers: { Authorization: `Bearer ${api.key}` } });
  expect(del.status()).toBe(204);
  await page.reload();
  const gone = page.getByTestId("sitemap-not-found");
  await expect(gone).toContainText("This sitemap does not exist");
  await expect(page.getByRole("button", { name: "Try again" })).toHaveCount(0);
  await screenshot(page, "not-found-deleted-sitemap");
  await gone.getByTestId("not-found-back").click();
  await expect(page).toHaveURL(/\/dashboard$/);
});
