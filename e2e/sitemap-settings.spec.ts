/**
 * The sitemap form's settings sections against a real crawl of the served PostgreSQL manual: a page limit, an
 * exclude rule, fixed priority, changefreq and no lastmod are saved, crawled and written; the edit page shows the
 * stored values and a PATCH through it changes them; an invalid regex comes back from the API under its rule.
 */
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { validateXml } from "../tests/helpers/xmllint";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

test("sitemap settings: sections, rules and output options reach the crawl and the XML; edit keeps them", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await signUp(page, uniqueEmail("settings"));
  await page.getByTestId("add-sitemap").first().click();
  await page.getByLabel("Name", { exact: true }).fill("Manual settings");
  await page.getByLabel("Start URL").fill(SITE_URL);

  // Sections start collapsed with their defaults summarised.
  const crawl = page.getByTestId("section-crawl");
  await expect(crawl).not.toHaveAttribute("open");
  await expect(crawl).toContainText("10,000 pages");
  await crawl.locator("summary").click();
  await page.getByLabel("Max pages").fill("40");
  await expect(crawl).toContainText("40 pages");

  const rules = page.getByTestId("section-rules");
  await rules.locator("summary").click();
  await page.getByTestId("add-rule").click();
  await page.getByLabel("Rule 1 action").selectOption("exclude");
  await page.getByLabel("Rule 1 pattern").fill("/tutorial*");
  await page.getByLabel("Query strings").selectOption("allowlist");
  await page.getByLabel("Parameters to keep").fill("page, lang");

  const signals = page.getByTestId("section-signals");
  await signals.locator("summary").click();
  await expect(page.getByLabel("Leave out noindex pages")).toBeChecked();
  await expect(page.getByLabel("Respect canonical")).toBeChecked();
  await expect(page.getByLabel("Follow nofollow links")).not.toBeChecked();

  const content = page.getByTestId("section-content");
  await content.locator("summary").click();
  await page.getByLabel("Priority", { exact: true }).selectOption("fixed");
  await page.getByLabel("Priority value").fill("0.8");
  await page.getByLabel("Change frequency").selectOption("weekly");
  await page.getByLabel("Write lastmod").uncheck();
  await expect(page.getByLabel("Last modified source")).toBeDisabled();

  await page.getByTestId("section-output").locator("summary").click();
  await expect(page.getByLabel("XML template")).toHaveValue("");
  await page.getByLabel("Check robots.txt Sitemap: line").check();
  await page.getByLabel("HTML sitemap").check();
  await page.getByLabel("XSL stylesheet").check();
  await expect(page.getByTestId("section-output")).toContainText("HTML");
  await page.getByTestId("section-auth").locator("summary").click();
  await screenshot(page, "sitemap-form");

  // A client-side check opens its section: news without a publication name.
  await page.getByLabel("News", { exact: true }).check();
  await page.getByTestId("sitemap-submit").click();
  await expect(page.getByTestId("error-newsPublicationName")).toBeVisible();
  await page.getByLabel("News", { exact: true }).uncheck();

  // An invalid regex passes the browser but not the API: the 422 lands under the rule.
  await page.getByLabel("Rule 1 syntax").selectOption("regex");
  await page.getByLabel("Rule 1 pattern").fill("/tutorial(");
  await page.getByTestId("sitemap-submit").click();
  await expect(page.getByTestId("error-rules")).toContainText("Rule 1:");
  await expect(page).toHaveURL(/\/sitemaps\/new$/);
  await page.getByLabel("Rule 1 syntax").selectOption("glob");
  await page.getByLabel("Rule 1 pattern").fill("/tutorial*");

  await page.getByTestId("sitemap-submit").click();
  await expect(page).toHaveURL(/\/dashboard\/sitemaps\/(?!new)[^/]+$/);
  const id = page.url().split("/").pop()!;
  await expect(page.getByTestId("settings-rules")).toHaveText("1");
  await expect(page.getByTestId("settings-priority")).toHaveText("0.8");

  // The API stored exactly what the form said.
  const stored = (await (await page.request.get(`/api/v1/sitemaps/${id}`)).json()).data;
  expect(stored.crawl).toMatchObject({
    maxPages: 40,
    rules: [{ action: "exclude", syntax: "glob", pattern: "/tutorial*" }],
    queryPolicy: "allowlist",
    queryAllowlist: ["page", "lang"],
    excludeNoindex: true,
    followNofollow: false,
    respectCanonical: true,
  });
  expect(stored.output).toEqual({
    priorityMode: "fixed",
    defaultPriority: 0.8,
    defaultChangefreq: "weekly",
    lastmod: false,
    lastmodSource: "content",
    extraFormats: ["html"],
    xslStylesheet: true,
  });
  expect(stored.writeIntoRobots).toBe(true);

  // A real run honours them.
  await page.getByTestId("generate-button").first().click();
  await expect(page.getByTestId("run-result")).toHaveAttribute("data-status", "succeeded", { timeout: 180_000 });
  const fileRow = page.getByTestId("file-row").filter({ hasText: "manual-settings.xml" });
  const [download] = await Promise.all([page.waitForEvent("download"), fileRow.getByTestId("file-download").click()]);
  const file = testInfo.outputPath("manual-settings.xml");
  await download.saveAs(file);
  const xml = fs.readFileSync(file, "utf8");
  const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
  expect(locs.length).toBeGreaterThan(10);
  expect(locs.length).toBeLessThanOrEqual(40);
  expect(locs.filter((l) => l.includes("/tutorial"))).toEqual([]);
  expect((xml.match(/<priority>0\.8<\/priority>/g) ?? []).length).toBe(locs.length);
  expect((xml.match(/<changefreq>weekly<\/changefreq>/g) ?? []).length).toBe(locs.length);
  expect(xml).not.toContain("<lastmod>");
  expect(xml).toContain('<?xml-stylesheet type="text/xsl" href="/sitemap.xsl"?>');
  await validateXml(file, "urlset");
  // The HTML sitemap is published beside the XML, with a link per listed URL.
  await expect(page.getByTestId("file-row").filter({ hasText: "manual-settings.html" })).toBeVisible();
  const html = await (await page.request.get(`/api/v1/sitemaps/${id}/files/manual-settings.html`)).text();
  for (const loc of locs.slice(0, 5)) expect(html).toContain(`href="${loc}"`);

  // The edit page shows the stored values; a change is saved with PATCH.
  await page.getByTestId("edit-settings").click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/sitemaps/${id}/settings$`));
  await expect(page.getByLabel("File name")).toHaveValue("manual-settings");
  await page.getByTestId("section-rules").locator("summary").click();
  await expect(page.getByLabel("Rule 1 pattern")).toHaveValue("/tutorial*");
  await expect(page.getByLabel("Parameters to keep")).toHaveValue("page, lang");
  await page.getByTestId("section-content").locator("summary").click();
  await expect(page.getByLabel("Priority value")).toHaveValue("0.8");
  await page.getByLabel("Priority", { exact: true }).selectOption("depth");
  await page.getByRole("button", { name: "Remove rule 1" }).click();
  await screenshot(page, "sitemap-settings-edit");
  await page.getByTestId("sitemap-submit").click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/sitemaps/${id}$`));
  await expect(page.getByTestId("settings-priority")).toHaveText("By depth");
  const after = (await (await page.request.get(`/api/v1/sitemaps/${id}`)).json()).data;
  expect(after.crawl.rules).toEqual([]);
  expect(after.output.priorityMode).toBe("depth");
  expect(after.crawl.maxPages).toBe(40);
});
