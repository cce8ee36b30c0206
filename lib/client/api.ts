/**
 * Browser fetch helpers for /api/v1 (same origin; the next-auth session cookie authenticates).
 *
 * Success bodies are `{ data }`, lists `{ data: [...], next_cursor }`. Errors are
 * `{ error: { type, code, message, field?, details?, request_id, doc_url } }` and become an `ApiError` whose `message`
 * is safe to show, whose `field` names the offending input (e.g. "startUrl", "crawl.maxPages") and whose `details` is
 * the error's machine-readable context (e.g. 409 `{ activeRunId }`).
 * 204 No Content resolves to `undefined`.
 */

/**
 * An /api/v1 error envelope as thrown by these helpers: `code` (e.g. "not_found", or "network_error" when the server
 * was not reached), HTTP `status` (0 for a network error), `field`, `requestId` (`request_id`) and `details` when the
 * envelope had them; `message` is the envelope's, safe to show.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly field?: string;
  readonly requestId?: string;
  readonly details?: Record<string, unknown>;
  constructor(code: string, message: string, status: number, field?: string, requestId?: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.field = field;
    this.requestId = requestId;
    this.details = details;
  }
}

export type ApiFetchOptions = {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Serialised as JSON. */
  body?: unknown;
  signal?: AbortSignal;
};

export type Page<T> = { data: T[]; next_cursor: string | null };

type ErrorEnvelope = { error?: { code?: string; message?: string; field?: string; request_id?: string; details?: unknown } };

async function request(path: string, opts: ApiFetchOptions): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? "GET",
      headers: opts.body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError("network_error", "Could not reach the server. Check your connection and try again.", 0);
  }
  if (res.status === 204) return undefined;

  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy or crash page answered with HTML; fall through to a generic error below.
  }
  if (!res.ok) {
    const e = (json as ErrorEnvelope | undefined)?.error;
    throw new ApiError(
      e?.code ?? "http_error",
      e?.message ?? `The server answered ${res.status} ${res.statusText}.`.replace(/ \.$/, "."),
      res.status,
      e?.field,
      e?.request_id,
      e?.details && typeof e.details === "object" && !Array.isArray(e.details) ? (e.details as Record<string, unknown>) : undefined,
    );
  }
  return json;
}

/** Calls `path` and returns the envelope's `data`. @throws ApiError */
export async function apiFetch<T>(path: string, opts: ApiFetchOptions = {}): Promise<T> {
  const json = (await request(path, opts)) as { data: T } | undefined;
  return json?.data as T;
}

/** Calls a list endpoint and returns one page: `{ data, next_cursor }`. @throws ApiError */
export async function apiFetchPage<T>(path: string, opts: ApiFetchOptions = {}): Promise<Page<T>> {
  const json = (await request(path, opts)) as Partial<Page<T>> | undefined;
  return { data: json?.data ?? [], next_cursor: json?.next_cursor ?? null };
}

/** Follows `next_cursor` (as `?cursor=`) up to `maxPages` pages and concatenates them. @throws ApiError */
export async function apiFetchAll<T>(path: string, opts: ApiFetchOptions & { maxPages?: number } = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < (opts.maxPages ?? 20); i++) {
    const sep = path.includes("?") ? "&" : "?";
    const url: string = cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path;
    const page: Page<T> = await apiFetchPage<T>(url, opts);
    out.push(...page.data);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

/**
 * A 409 `conflict` because a run of the sitemap is already queued or running: `{ activeRunId }` from its `details`
 * (null when that run ended in the meantime). Null for any other error, including the 409 for a paused sitemap
 * (its details carry no `activeRunId`).
 */
export function runConflictOf(err: unknown): { activeRunId: string | null } | null {
  if (!(err instanceof ApiError) || err.status !== 409 || err.code !== "conflict" || !err.details) return null;
  if (!("activeRunId" in err.details)) return null;
  const id = err.details.activeRunId;
  return { activeRunId: typeof id === "string" && id ? id : null };
}

/** True when `err` is a 404 answer: the object does not exist (any more) or is not the caller's. */
export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.status === 404;

/** Human text for any error thrown by the helpers above (or anything else). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return "Something went wrong.";
}
