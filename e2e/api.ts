/**
 * Real-API steps for the dashboard specs: an API key created through the signed-in session, then Bearer calls that
 * count against the plan (the usage page shows them), and waiting for a real run to end.
 */
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export type ApiClient = {
  key: string;
  /** API-key calls made so far through this client (each counts once against the daily quota). */
  calls: () => number;
  get: (path: string) => Promise<{ status: number; body: any }>;
  post: (path: string, body?: unknown) => Promise<{ status: number; body: any }>;
  patch: (path: string, body?: unknown) => Promise<{ status: number; body: any }>;
};

/** Creates an API key with the page's session (POST /api/v1/api-keys, same-origin) and returns a Bearer client. */
export async function apiClient(page: Page, name = "e2e"): Promise<ApiClient> {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post("/api/v1/api-keys", { data: { name }, headers: { Origin: origin } });
  expect(res.status(), await res.text()).toBe(201);
  const key = (await res.json()).data.key as string;
  const req: APIRequestContext = page.request;
  let calls = 0;
  const call = async (method: "get" | "post" | "patch", path: string, body?: unknown) => {
    calls++;
    const r = await req[method](path, {
      headers: { Authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { data: body }),
    });
    const text = await r.text();
    return { status: r.status(), body: text ? JSON.parse(text) : null };
  };
  return {
    key,
    calls: () => calls,
    get: (p) => call("get", p),
    post: (p, b) => call("post", p, b),
    patch: (p, b) => call("patch", p, b),
  };
}

/** Polls GET /api/v1/runs/{id} every `everyMs` until the run leaves queued/running; returns the final run. */
export async function waitForRun(api: ApiClient, runId: string, timeoutMs = 120_000, everyMs = 1_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api.get(`/api/v1/runs/${runId}`);
    expect(status).toBe(200);
    if (!["queued", "running"].includes(body.data.status)) return body.data;
    if (Date.now() > end) throw new Error(`run ${runId} still ${body.data.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
