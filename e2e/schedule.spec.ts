/**
 * Schedule editor on a sitemap's page: hour toggles, time zone and cron, the next-runs preview, saved with PATCH; the
 * server's scheduler (GET /api/v1/schedule) agrees with the preview about the next run.
 */
import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

test("schedule editor: hours in a time zone plus cron, next runs preview, saved and used by the scheduler", async ({ page }) => {
  await signUp(page, uniqueEmail("schedule"));
  const origin = new URL(page.url()).origin;
  const created = await page.request.post("/api/v1/sitemaps", {
    data: { name: "Scheduled manual", startUrl: SITE_URL, fileName: "scheduled" },
    headers: { Origin: origin },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).data.id as string;
  await page.goto(`/dashboard/sitemaps/${id}`);

  const editor = page.getByTestId("schedule-editor");
  await expect(editor).toBeVisible();
  await expect(editor.getByTestId("next-runs-empty")).toBeVisible();
  await expect(editor.getByTestId("hour-toggle")).toHaveCount(24);
  await expect(editor.getByTestId("save-schedule")).toBeDisabled();

  await editor.getByRole("button", { name: "Run at 03:00" }).click();
  await editor.getByRole("button", { name: "Run at 15:00" }).click();
  await expect(editor.getByRole("button", { name: "Run at 03:00" })).toHaveAttribute("aria-pressed", "true");
  await editor.getByLabel("Time zone").selectOption("Europe/Berlin");

  // Berlin is UTC+1 in December (UTC+2 in summer): 03:00 and 15:00 local are 02:00/14:00 or 01:00/13:00 UTC.
  const runs = editor.getByTestId("next-run");
  await expect(runs).toHaveCount(5);
  const utcHours = await runs.evaluateAll((els) => els.map((e) => new Date(e.getAttribute("data-at")!).getUTCHours()));
  const winter = utcHours.every((h) => h === 2 || h === 14);
  const summer = utcHours.every((h) => h === 1 || h === 13);
  expect(winter || summer, `UTC hours ${utcHours}`).toBe(true);

  // An invalid cron is flagged and blocks saving; a valid one adds its runs to the preview.
  await editor.getByLabel("Cron expression").fill("61 * * * *");
  await expect(editor.getByTestId("error-exportCron")).toBeVisible();
  await expect(editor.getByTestId("save-schedule")).toBeDisabled();
  await editor.getByLabel("Cron expression").fill("30 9 * * *");
  await expect(editor.getByTestId("error-exportCron")).toHaveCount(0);
  // Daily 03:00, 09:30 and 15:00: among the next five runs at least one is the cron's 09:30 (local time).
  await expect(editor.getByTestId("next-run").filter({ hasText: "09:30" }).first()).toBeVisible();
  await screenshot(page, "schedule-editor");

  await editor.getByTestId("save-schedule").click();
  await expect(editor.getByTestId("schedule-saved")).toBeVisible();
  const stored = (await (await page.request.get(`/api/v1/sitemaps/${id}`)).json()).data;
  expect(stored).toMatchObject({ exportPlan: [3, 15], exportCron: "30 9 * * *", timezone: "Europe/Berlin" });

  // After a reload the editor shows what is stored, and the scheduler's next run is the preview's first.
  await page.reload();
  await expect(editor.getByRole("button", { name: "Run at 15:00" })).toHaveAttribute("aria-pressed", "true");
  await expect(editor.getByRole("button", { name: "Run at 04:00" })).toHaveAttribute("aria-pressed", "false");
  await expect(editor.getByLabel("Time zone")).toHaveValue("Europe/Berlin");
  await expect(editor.getByLabel("Cron expression")).toHaveValue("30 9 * * *");
  const first = await editor.getByTestId("next-run").first().getAttribute("data-at");
  const schedule = (await (await page.request.get("/api/v1/schedule")).json()).data;
  const mine = schedule.upcoming.find((u: { sitemapId: string }) => u.sitemapId === id);
  expect(mine.nextRunAt).toBe(first);
  // The runs page lists it under Scheduled.
  await page.getByRole("link", { name: "Runs", exact: true }).click();
  const scheduled = page.getByTestId("scheduled-row").filter({ hasText: "Scheduled manual" });
  await expect(scheduled).toContainText("at 03:00, 15:00 · cron 30 9 * * * (Europe/Berlin)");
  await expect(scheduled.getByTestId("scheduled-next")).toHaveAttribute("title", /\d/);
  await page.goBack();

  // Clearing everything unschedules it.
  await editor.getByRole("button", { name: "Clear hours" }).click();
  await editor.getByLabel("Cron expression").fill("");
  await expect(editor.getByTestId("next-runs-empty")).toBeVisible();
  await editor.getByTestId("save-schedule").click();
  await expect(editor.getByTestId("schedule-saved")).toBeVisible();
  const cleared = (await (await page.request.get(`/api/v1/sitemaps/${id}`)).json()).data;
  expect(cleared).toMatchObject({ exportPlan: [], exportCron: null });
});
