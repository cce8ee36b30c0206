import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./helpers";

test("API key: created, shown once, works, revoked with confirmation", async ({ page, request }) => {
  await signUp(page, uniqueEmail("keys"));
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/dashboard\/api-keys$/);
  await expect(page.getByTestId("api-keys-empty")).toBeVisible();

  await page.getByLabel("Key name").fill("CI deploy");
  await page.getByTestId("create-key").click();
  const notice = page.getByTestId("new-key");
  await expect(notice).toBeVisible();
  await expect(notice).toContainText("you won’t see it again");
  const key = (await page.getByTestId("new-key-value").textContent())?.trim() ?? "";
  expect(key.length).toBeGreaterThan(20);
  const row = page.getByTestId("api-key-row").filter({ hasText: "CI deploy" });
  await expect(row).toBeVisible();
  await expect(row.getByTestId("api-key-masked")).toContainText(key.slice(-4));
  await screenshot(page, "api-keys-created");

  // The plaintext is a Bearer credential for /api/v1 …
  const ok = await request.get("/api/v1/sitemaps", { headers: { Authorization: `Bearer ${key}` } });
  expect(ok.status()).toBe(200);

  // … and it is never shown again: not after a reload, not in the list.
  await page.reload();
  await expect(page.getByTestId("api-key-row")).toHaveCount(1);
  await expect(page.getByTestId("new-key")).toHaveCount(0);
  await expect(page.getByText(key)).toHaveCount(0);

  // Revoke asks first; Cancel keeps the key.
  await row.getByTestId("revoke-key").click();
  const dialog = page.getByTestId("revoke-dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByTestId("revoke-key")).toBeVisible();

  await row.getByTestId("revoke-key").click();
  await dialog.getByRole("button", { name: "Revoke key" }).click();
  await expect(row.getByTestId("api-key-revoked")).toBeVisible();
  await screenshot(page, "api-keys-revoked");

  const denied = await request.get("/api/v1/sitemaps", { headers: { Authorization: `Bearer ${key}` } });
  expect(denied.status()).toBe(401);
});
