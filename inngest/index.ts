/** Every Inngest function of the app, served by app/api/inngest/route.ts (and so driven by the local runner too). */
import { generateSitemap } from "./functions/generate-sitemap";
import { exportSitemap } from "./functions/export-sitemap";
import { deliverWebhook } from "./functions/deliver-webhook";
import { hourlyScheduler } from "./functions/hourly-scheduler";
import { refreshFeedFn } from "./functions/refresh-feed";
import { submitSitemap } from "./functions/submit-sitemap";

export const functions = [generateSitemap, submitSitemap, deliverWebhook, hourlyScheduler, refreshFeedFn, exportSitemap];
