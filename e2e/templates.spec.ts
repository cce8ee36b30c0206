/**
 * Templates: create with the live preview (valid, invalid output, syntax error), edit (version + 1), delete refused
 * with the API's 409 message while a sitemap uses it, then deleted once it is free.
 */
import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

const BAD_ROOT = "<urlset>{% for u in urls %}<url><loc>{{ u.loc }}</loc></url>{% endfor %}</urlset>";

test("templates: live preview with validation, create, edit, delete refused while in use", async ({ page }) => {
  await signUp(page, uniqueEmail("templates"));
  await page.getByRole("link", { name: "Templates", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard\/templates$/);
  await expect(page.getByTestId("templates-empty")).toBeVisible();
  await page.getByTestId("add-template").click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/new$/);

  // The starter renders and validates with the sample data.
  const preview = page.getByTestId("template-preview");
  await expect(preview.getByTestId("preview-valid")).toBeVisible();
  await expect(preview.getByTestId("preview-count")).toContainText(/\d+ URLs/);
  await expect(preview.getByTestId("preview-output")).toContainText('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
  await expect(preview.getByTestId("preview-output")).toContainText("<loc>https://");

  // Output that is not a sitemap: the same check the exporter applies before publishing.
  const source = page.getByLabel("Source (LiquidJS)");
  const starter = await source.inputValue();
  await source.fill(BAD_ROOT);
  await expect(preview.getByTestId("preview-invalid")).toBeVisible();
  await expect(preview.getByTestId("preview-errors")).toContainText(/urlset/);

  // A Liquid syntax error comes back as the API's message.
  await source.fill("{% for u in urls %}<loc>{{ u.loc }}</loc>");
  await expect(preview.getByTestId("preview-invalid")).toBeVisible();
  await expect(preview.getByTestId("preview-errors")).not.toBeEmpty();

  await source.fill(starter.replace("<url>", "<url><!-- compact -->"));
  await expect(preview.getByTestId("preview-valid")).toBeVisible();
  await expect(preview.getByTestId("preview-output")).toContainText("<!-- compact -->");
  await page.getByLabel("Template name").fill("Compact urlset");
  await screenshot(page, "template-editor");
  await page.getByTestId("template-save").click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/(?!new)[^/]+$/);
  const id = page.url().split("/").pop()!;
  await expect(page.getByTestId("template-title")).toHaveText("Compact urlset");
  await expect(page.getByLabel("Kind")).toBeDisabled();

  // Edit: saved as version 2.
  await page.getByLabel("Source (LiquidJS)").fill(starter.replace("<url>", "<url><!-- v2 -->"));
  await page.getByTestId("template-save").click();
  await expect(page.getByTestId("template-saved")).toContainText("version 2");

  // In use by a sitemap (chosen in the sitemap form's XML template select) → delete shows the 409 message.
  await page.goto("/dashboard/sitemaps/new");
  await page.getByLabel("Name", { exact: true }).fill("Templated");
  await page.getByLabel("Start URL").fill(SITE_URL);
  await page.getByTestId("section-output").locator("summary").click();
  await page.getByLabel("XML template").selectOption({ label: "Compact urlset" });
  await page.getByTestId("sitemap-submit").click();
  await expect(page).toHaveURL(/\/dashboard\/sitemaps\/(?!new)[^/]+$/);
  const sitemapId = page.url().split("/").pop()!;

  await page.goto("/dashboard/templates");
  await expect(page.getByTestId("template-row").getByTestId("template-used-by")).toHaveText("1 sitemap");
  await page.getByRole("link", { name: "Compact urlset" }).click();
  await page.getByTestId("delete-template").click();
  await page.getByRole("button", { name: "Delete template" }).click();
  await expect(page.getByTestId("delete-error")).toContainText("uses this template");
  await expect(page).toHaveURL(new RegExp(`/dashboard/templates/${id}$`));
  await screenshot(page, "template-in-use");

  // Free it (the sitemap goes back to the built-in writer), then delete works.
  const origin = new URL(page.url()).origin;
  const patched = await page.request.patch(`/api/v1/sitemaps/${sitemapId}`, { data: { templateId: null }, headers: { Origin: origin } });
  expect(patched.status()).toBe(200);
  await page.getByTestId("delete-template").click();
  await page.getByRole("button", { name: "Delete template" }).click();
  await expect(page).toHaveURL(/\/dashboard\/templates$/);
  await expect(page.getByTestId("templates-empty")).toBeVisible();
});
