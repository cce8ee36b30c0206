/**
 * Webhooks: create (secret shown once), send a test delivery to the served site (its nginx answers the POST with an
 * error status, which the delivery log reports honestly), deactivate, delete.
 */
import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

test("webhooks: secret once, test delivery logged with its HTTP status, deactivate, delete", async ({ page }) => {
  test.setTimeout(150_000);
  await signUp(page, uniqueEmail("hooks"));
  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  await expect(page.getByTestId("webhooks-empty")).toBeVisible();

  const receiver = `${SITE_URL}hooks/sitemap-forge`;
  await page.getByLabel("Receiver URL").fill(receiver);
  await page.getByLabel("submission.completed").check();
  await page.getByTestId("create-webhook").click();
  const secret = page.getByTestId("webhook-secret");
  await expect(secret).toHaveText(/^whsec_[0-9a-f]{48}$/);
  const value = (await secret.textContent())!;
  const row = page.getByTestId("webhook-row");
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("webhook-url")).toHaveText(receiver);
  await expect(row).toContainText("submission.completed");

  // The secret is not in the list, and gone after a reload.
  await page.reload();
  await expect(page.getByTestId("new-webhook-secret")).toHaveCount(0);
  await expect(page.getByText(value)).toHaveCount(0);

  await row.getByTestId("test-webhook").click();
  const delivery = row.getByTestId("delivery-row");
  await expect(delivery).toHaveCount(1);
  await expect(delivery).toContainText("webhook.test");
  // nginx serves static files: a POST gets 404/405, so the delivery must not read "delivered" once it has an answer.
  await expect(delivery.locator("td").nth(3)).toHaveText(/^\d{3}$/, { timeout: 60_000 });
  await expect(delivery).not.toHaveAttribute("data-status", "delivered");
  await screenshot(page, "webhooks");

  await row.getByTestId("toggle-webhook").click();
  await expect(row).toContainText("Inactive");
  await expect(row.getByTestId("test-webhook")).toBeDisabled();
  await row.getByTestId("delete-webhook").click();
  await page.getByRole("button", { name: "Delete webhook" }).click();
  await expect(page.getByTestId("webhooks-empty")).toBeVisible();
});
