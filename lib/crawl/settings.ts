/**
 * CrawlSettings (lib/core/types.ts) as the crawler uses them: every optional field filled from
 * DEFAULT_CRAWL_SETTINGS, then checked once before any request.
 */
import { DEFAULT_CRAWL_SETTINGS, type CrawlSettings } from "@/lib/core/types";
import { normalizeUrl } from "@/lib/core/url";

/** CrawlSettings with every field present. */
export type Settings = Required<Omit<CrawlSettings, "startUrl">> & { startUrl: string };

/** Settings with every optional field filled from DEFAULT_CRAWL_SETTINGS (undefined means "default"). */
export function withDefaults(settings: CrawlSettings): Settings {
  const out = { ...DEFAULT_CRAWL_SETTINGS } as Settings;
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * Checks the numeric caps and enums and returns the normalised start URL.
 * Throws RangeError for a cap that is not an integer ≥ its minimum, TypeError for an unknown enum value or a start
 * URL that is not an absolute http(s) URL without credentials.
 */
export function validateSettings(settings: Settings): string {
  const int = (name: keyof Settings, min: number) => {
    const v = settings[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      throw new RangeError(`CrawlSettings.${name} must be an integer ≥ ${min}, got ${String(v)}`);
    }
  };
  int("maxPages", 0);
  int("maxDepth", 0);
  int("concurrency", 1);
  int("timeoutMs", 1);
  int("maxBodyBytes", 1);
  int("maxUrlLength", 1);
  int("maxQueryVariants", 1);
  int("maxPathSegments", 1);
  int("maxSegmentRepeats", 0);
  const oneOf = (name: keyof Settings, values: readonly string[]) => {
    if (!values.includes(settings[name] as string)) throw new TypeError(`CrawlSettings.${name} must be one of ${values.join(", ")}`);
  };
  oneOf("queryPolicy", ["keep", "strip", "allowlist"]);
  oneOf("trailingSlash", ["keep", "add", "remove"]);
  oneOf("renderJs", ["off", "auto", "always"]);
  const start = normalizeUrl(settings.startUrl);
  if (start === null) throw new TypeError(`CrawlSettings.startUrl must be an absolute http(s) URL without credentials: ${settings.startUrl}`);
  return start;
}
