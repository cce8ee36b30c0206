/**
 * /docs/api – the API reference, rendered on the server from the same OpenAPI document that
 * GET /api/v1/openapi.json serves (lib/api/openapi.ts), so the page and the document cannot disagree.
 */
import type { Metadata } from "next";
import Link from "next/link";
import { Badge, type BADGE_TONES } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { buildOpenApi } from "@/lib/api/openapi";
import { ERROR_CODES } from "@/lib/core/errors";
import { getEnv } from "@/lib/env";
import { PLAN_NAMES, planTable } from "@/lib/quota/plans";

export const metadata: Metadata = { title: "API reference" };
// Limits come from the environment at run time (PLAN_LIMITS), not at build time.
export const dynamic = "force-dynamic";

const METHOD_TONE: Record<string, keyof typeof BADGE_TONES> = { get: "blue", post: "green", patch: "amber", delete: "red" };

type Operation = { summary: string; description: string; "x-scope"?: string; security?: unknown[]; responses: Record<string, { description: string }> };

export default function ApiDocsPage() {
  const doc = buildOpenApi();
  const plans = planTable(getEnv());
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops as Record<string, Operation>).map(([method, op]) => ({ path, method, op })),
  );
  const tags = [...new Set(rows.map((r) => r.path.split("/")[3]))];

  return (
    <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <div>
          <div className="mb-1 text-sm text-slate-500">
            <Link href="/dashboard" className="hover:text-slate-700">Sitemap Forge</Link> / Docs
          </div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">API reference</h1>
          <p className="mt-1 max-w-3xl text-sm text-slate-500">{doc.info.description}</p>
        </div>
        <a href="/api/v1/openapi.json" className="rounded-lg border border-slate-200 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50">
          openapi.json
        </a>
      </div>

      <div className="grid gap-6 md:grid-cols-2">
        <Card>
          <CardHeader title="Authentication" description="Send an API key, or use the dashboard's session cookie." />
          <div className="space-y-2 px-5 py-4 text-sm text-slate-700">
            <p><code className="rounded bg-slate-100 px-1">Authorization: Bearer sfk_…</code></p>
            <p>Key scopes: <code>read</code> (every GET), <code>write</code> (sitemaps), <code>generate</code> (runs), <code>submit</code>, <code>templates</code>. A session holds all of them.</p>
            <p>POST requests accept <code>Idempotency-Key</code>: a repeat within 24 h replays the first answer.</p>
          </div>
        </Card>
        <Card>
          <CardHeader title="Plans and limits" description="X-RateLimit-* (per minute) and X-Quota-* (per UTC day) on every authenticated response." />
          <table className="w-full text-sm">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th className="px-5 py-2">plan</th><th className="px-5 py-2">requests / minute</th><th className="px-5 py-2">requests / day</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {PLAN_NAMES.map((p) => (
                <tr key={p}>
                  <td className="px-5 py-2 font-medium capitalize">{p}</td>
                  <td className="px-5 py-2 tabular-nums">{plans[p].perMinute.toLocaleString("en")}</td>
                  <td className="px-5 py-2 tabular-nums">{plans[p].perDay === null ? "unlimited" : plans[p].perDay.toLocaleString("en")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>

      {tags.map((tag) => (
        <Card key={tag} className="mt-6">
          <CardHeader title={`/${tag}`} />
          <table className="w-full text-sm" data-testid={`endpoints-${tag}`}>
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-5 py-2">endpoint</th>
                <th className="px-5 py-2">what</th>
                <th className="px-5 py-2">access</th>
                <th className="px-5 py-2">responses</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 align-top">
              {rows
                .filter((r) => r.path.split("/")[3] === tag)
                .map(({ path, method, op }) => (
                  <tr key={method + path}>
                    <td className="whitespace-nowrap px-5 py-2">
                      <Badge tone={METHOD_TONE[method] ?? "gray"} className="mr-2 uppercase">{method}</Badge>
                      <code className="text-slate-800">{path}</code>
                    </td>
                    <td className="px-5 py-2 text-slate-700">{op.summary}</td>
                    <td className="whitespace-nowrap px-5 py-2 text-slate-600">
                      {op["x-scope"] ?? (op.security?.length === 0 ? "public" : "session")}
                    </td>
                    <td className="px-5 py-2">
                      <div className="flex flex-wrap gap-1">
                        {Object.entries(op.responses).map(([status, r]) => (
                          <span key={status} title={r.description}>
                            <Badge tone={Number(status) < 400 ? "green" : Number(status) >= 500 ? "red" : "gray"}>{status}</Badge>
                          </span>
                        ))}
                      </div>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </Card>
      ))}

      <Card className="mt-6">
        <CardHeader title="Error codes" description="Errors are { error: { type, code, message, field?, request_id, doc_url } }." />
        <table className="w-full text-sm">
          <tbody className="divide-y divide-slate-100">
            {Object.entries(ERROR_CODES).map(([code, { status, type }]) => (
              <tr key={code} id={code}>
                <td className="px-5 py-2 tabular-nums">{status}</td>
                <td className="px-5 py-2"><code>{code}</code></td>
                <td className="px-5 py-2 text-slate-500">{type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </main>
  );
}
