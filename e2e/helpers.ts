/** Shared steps of the dashboard e2e specs: fresh accounts, sign-in through the UI, screenshots into test-results/. */
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { ROOT } from "./realsite";

export const SCREENSHOT_DIR = path.join(ROOT, "test-results", "screenshots");
export const PASSWORD = "correct-horse-battery-1";

/** A unique address per call, so each test owns its account (the database is shared by the whole run). */
export const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;

/** Signs up through /signup; the page signs in by itself and lands on /dashboard. */
export async function signUp(page: Page, email = uniqueEmail("user"), password = PASSWORD) {
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("user-email")).toHaveText(email);
  return { email, password };
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
