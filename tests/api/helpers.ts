/**
 * Helpers for /api/v1 route tests: route handlers are imported and called with `new Request(...)`.
 * Session tests need `vi.mock("next-auth", …)` in the test file (see mockSession); everything else is real.
 */
import { randomInt, randomUUID } from "node:crypto";
import { expect, vi } from "vitest";
import { getServerSession } from "next-auth";
import { SOCKET_ADDRESS_HEADER } from "@/lib/api/client-ip";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { createUser } from "@/lib/db/users";

export const BASE = "http://localhost:3000";

export async function seedUser(): Promise<{ id: string; email: string; key: string }> {
  const user = await createUser({ email: `u-${randomUUID()}@example.com`, password: "correct horse battery" });
  const { key } = await issueApiKey({ userId: user.id, name: "test" });
  return { id: user.id, email: user.email, key };
}

type Init = { key?: string; body?: unknown; raw?: BodyInit; headers?: Record<string, string> };

export function req(method: string, path: string, init: Init = {}): Request {
  const headers = new Headers(init.headers);
  if (init.key !== undefined) headers.set("authorization", `Bearer ${init.key}`);
  let body: BodyInit | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return new Request(BASE + path, { method, headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
}

/** A random address in 10.0.0.0/8, so two tests rarely share a per-address limiter bucket. */
export const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/** Headers as if the request came over a socket from `ip` (what the server records, lib/api/client-ip.ts). */
export const fromAddress = (ip: string, headers: Record<string, string> = {}) => ({ [SOCKET_ADDRESS_HEADER]: ip, ...headers });

export const ctx = <P extends Record<string, string>>(params: P = {} as P) => ({ params: Promise.resolve(params) });

/** Asserts the error envelope; returns its `error` object. */
export async function expectError(res: Response, status: number, code: string, field?: string) {
  const body = await res.json();
  expect({ status: res.status, code: body.error?.code, field: body.error?.field }).toEqual({ status, code, field });
  expect(body.error).toMatchObject({ type: expect.any(String), message: expect.any(String), doc_url: expect.stringContaining(code) });
  expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
  return body.error as { type: string; code: string; message: string; field?: string; request_id: string };
}

export function expectRateLimitHeaders(res: Response) {
  expect(res.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
  expect(res.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
  expect(res.headers.get("x-ratelimit-reset")).toMatch(/^\d{10}$/);
}

/** Makes next-auth's getServerSession (mocked by the test file) report `userId` as signed in; null signs out. */
export function mockSession(userId: string | null) {
  vi.mocked(getServerSession).mockResolvedValue(userId ? { user: { id: userId }, expires: "2999-01-01T00:00:00.000Z" } : null);
}

export const sitemapBody = (over: Record<string, unknown> = {}) => ({
  name: "Docs",
  startUrl: "https://docs.example.com/",
  fileName: `docs-${randomUUID().slice(0, 8)}`,
  ...over,
});
