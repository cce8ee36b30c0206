/**
 * Sitemap writer library (sitemaps.org protocol 0.9): value encoders (`xml.ts`), the streaming XML writer
 * (`writer.ts`), the sitemapindex builder (`index-xml.ts`), TXT/JSON outputs (`formats.ts`), atomic publication by
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
  publishGeneration,
  publishedFilePath,
  readPublishedFile,
  pruneGenerations,
  TMP_PREFIX,
  type PublishGenerationOptions,
} from "./publish";
export { escapeXml, encodeLoc, stripInvalidXmlChars, w3cDatetime, MAX_LOC_LENGTH, MIN_LOC_LENGTH } from "./xml";
