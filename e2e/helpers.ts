/** Shared steps of the dashboard e2e specs: fresh accounts, sign-in through the UI, screenshots into test-results/. */
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { ROOT } from "./realsite";

export const SCREENSHOT_DIR = path.join(ROOT, "test-results", "screenshots");
export const PASSWORD = "correct-horse-battery-1";

/** A unique address per call, so each test owns its account (the database is shared by the whole run). */
export const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;

/**
 * Signs up through /signup; the page signs in by itself and lands on /dashboard. Sign-ups are rate limited per IP
 * (5 per 60 s) and the whole suite signs up more often than that from 127.0.0.1: when the page shows the 429 message
 * ("… retry in N s"), wait N s like a user would and submit again (at most 3 times).
 */
export async function signUp(page: Page, email = uniqueEmail("user"), password = PASSWORD) {
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  for (let attempt = 0; ; attempt++) {
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/api/v1/signup") && r.request().method() === "POST"),
      page.getByRole("button", { name: "Create account" }).click(),
    ]);
    if (res.status() !== 429 || attempt >= 3) break;
    const fromBody = /retry in (\d+) s/.exec(await res.text())?.[1];
    await page.waitForTimeout((Number(res.headers()["retry-after"] ?? fromBody ?? 60) + 1) * 1000);
  }
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("user-email")).toHaveText(email);
  return { email, password };
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
