/**
 * Feeds: create a feed from the served PostgreSQL manual's index page (links matching /tutorial*), refresh it
 * (a real refresh-feed job), see the items, download the RSS file and fetch the public URL; edit and delete.
 */
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./helpers";
import { SITE_URL } from "./realsite";

test("feeds: create, refresh, items, download, public URL, edit, delete", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueEmail("feeds"));
  await page.getByRole("link", { name: "Feeds", exact: true }).click();
  await expect(page.getByTestId("feeds-empty")).toBeVisible();
  await page.getByTestId("add-feed").click();

  // Client check first, then a real feed.
  await page.getByTestId("feed-submit").click();
  await expect(page.getByTestId("error-foundUrl")).toBeVisible();
  await page.getByLabel("Page URL").fill(SITE_URL);
  await page.getByLabel("Feed name").fill("Tutorial feed");
  await page.getByLabel("Link mask").fill("/tutorial*");
  await page.getByLabel("Number of items").fill("3"); // the index links four /tutorial* pages
  await page.getByLabel("Channel title").fill("PostgreSQL tutorial");
  await page.getByTestId("feed-submit").click();
  await expect(page).toHaveURL(/\/dashboard\/feeds\/(?!new)[^/]+$/);
  await expect(page.getByTestId("feed-title")).toHaveText("Tutorial feed");
  await expect(page.getByTestId("feed-status")).toHaveAttribute("data-status", "idle");
  await expect(page.getByTestId("feed-items-empty")).toBeVisible();

  await page.getByTestId("refresh-feed").click();
  await expect(page.getByTestId("feed-status")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("feed-item-count")).toHaveText("3");
  const rows = page.getByTestId("feed-item-row");
  await expect(rows).toHaveCount(3);
  const hrefs = await rows.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  expect(hrefs.every((h) => h!.startsWith(`${SITE_URL}tutorial`))).toBe(true);
  await screenshot(page, "feed");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("feed-download").click()]);
  const file = testInfo.outputPath("feed.xml");
  await download.saveAs(file);
  const xml = fs.readFileSync(file, "utf8");
  expect(xml).toContain("<rss");
  expect(xml).toContain("<title>PostgreSQL tutorial</title>");
  expect((xml.match(/<item>/g) ?? []).length).toBe(3);

  const publicUrl = (await page.getByTestId("feed-public-url").textContent())!.trim();
  const pub = await page.request.get(publicUrl);
  expect(pub.status()).toBe(200);
  expect((await pub.text()).match(/<item>/g)?.length).toBe(3);

  // Edit: Atom with 2 items, refreshed again.
  await page.getByTestId("edit-feed").click();
  await page.getByLabel("Format").selectOption("atom");
  await page.getByLabel("Number of items").fill("2");
  await page.getByTestId("feed-submit").click();
  await expect(page.getByTestId("feed-form")).toHaveCount(0);
  const feedId = page.url().split("/").pop()!;
  const before = (await (await page.request.get(`/api/v1/feeds/${feedId}`)).json()).data.lastRefreshAt;
  await page.getByTestId("refresh-feed").click();
  // The badge already read "succeeded" from the first refresh: wait for the second one to finish.
  await expect
    .poll(async () => {
      const f = (await (await page.request.get(`/api/v1/feeds/${feedId}`)).json()).data;
      return f.status !== "running" && f.lastRefreshAt !== before ? f.status : "waiting";
    }, { timeout: 60_000 })
    .toBe("succeeded");
  await expect(page.getByTestId("feed-status")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("feed-item-count")).toHaveText("2");
  const atom = await (await page.request.get(publicUrl)).text();
  expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');

  await page.getByRole("link", { name: "Feeds", exact: true }).click();
  await expect(page.getByTestId("feed-row")).toHaveCount(1);
  await expect(page.getByTestId("feed-items")).toHaveText("2");
  await page.getByRole("link", { name: "Tutorial feed" }).click();
  await page.getByTestId("delete-feed").click();
  await page.getByRole("button", { name: "Delete feed" }).click();
  await expect(page).toHaveURL(/\/dashboard\/feeds$/);
  await expect(page.getByTestId("feeds-empty")).toBeVisible();
});
