/**
 * Sitemap writer library (sitemaps.org protocol 0.9): value encoders (`xml.ts`), the streaming XML writer
 * (`writer.ts`), Google extensions (`extensions.ts`: image, video, news; `hreflang.ts`: xhtml:link clusters and the
 * reciprocity check), the sitemapindex builder (`index-xml.ts`), TXT/JSON outputs (`formats.ts`), the HTML sitemap
 * (`html.ts`), the XSL stylesheet (`xsl.ts`), the one-pass export entry point (`outputs.ts`), atomic publication by
 * generations (`publish.ts`) and typed errors (`errors.ts`). Node only; no Next imports. See each module's docs.
 */
export * from "./errors";
export { buildSitemapIndexXml, SITEMAP_NS, type SitemapIndexItem } from "./index-xml";
export { isSafeName, assertSafeName } from "./names";
export {
  writeSitemapFiles,
  type SitemapEntrySource,
  type SitemapFileKind,
  type WriteResult,
  type WriteSitemapOptions,
  type WrittenFile,
} from "./writer";
export { writeTextSitemap, writeJsonUrls, type WriteTextOptions, type WriteJsonOptions } from "./formats";
export {
  writeSitemapOutputs,
  hreflangReportJson,
  EXTRA_FORMATS,
  type ExtraFormat,
  type OutputFiles,
  type SitemapOutputsOptions,
  type SitemapOutputsResult,
} from "./outputs";
export {
  IMAGE_NS,
  VIDEO_NS,
  NEWS_NS,
  XHTML_NS,
  MAX_IMAGES_PER_URL,
  MAX_NEWS_PER_FILE,
  NEWS_MAX_AGE_MS,
  normaliseNewsLanguage,
  type ExtensionOptions,
  type ExtensionStats,
  type NewsOptions,
} from "./extensions";
export {
  checkHreflangReciprocity,
  normaliseHreflang,
  HreflangCollector,
  HREFLANG_PROBLEM_KINDS,
  type HreflangAlternate,
  type HreflangProblem,
  type HreflangProblemKind,
  type HreflangReport,
} from "./hreflang";
export { HTML_LINKS_PER_PAGE, htmlPageName } from "./html";
export { SITEMAP_XSL, SITEMAP_XSL_PATH, sitemapXslResponse, xmlStylesheetPi } from "./xsl";
export {
  publishGeneration,
  publishedFilePath,
  readPublishedFile,
  pruneGenerations,
  TMP_PREFIX,
  type PublishGenerationOptions,
} from "./publish";
export { escapeXml, encodeLoc, stripInvalidXmlChars, w3cDatetime, MAX_LOC_LENGTH, MIN_LOC_LENGTH } from "./xml";
