/** Every Inngest function of the app, served by app/api/inngest/route.ts (and so driven by the local runner too). */
import { generateSitemap } from "./functions/generate-sitemap";

export const functions = [generateSitemap];
