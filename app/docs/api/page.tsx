/**
 * /docs/api – the API reference: the OpenAPI document that GET /api/v1/openapi.json serves (lib/api/openapi.ts)
 * rendered by Scalar's reference UI (components/api-reference.tsx: parameters, schemas, an example per operation),
 * plus the error-code table that every error's `doc_url` points at (`/docs/api#<code>`). Without JavaScript, the
 * list of operations shows instead of the interactive reference.
 */
import type { Metadata } from "next";
import Link from "next/link";
import { ApiReference } from "@/components/api-reference";
import { Card, CardHeader } from "@/components/ui/card";
import { buildOpenApi } from "@/lib/api/openapi";
import { ERROR_CODES } from "@/lib/core/errors";

export const metadata: Metadata = { title: "API reference" };
// Limits and APP_URL come from the environment at run time (PLAN_LIMITS), not at build time.
export const dynamic = "force-dynamic";

type Operation = { summary: string };

export default function ApiDocsPage() {
  const doc = buildOpenApi();
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops as Record<string, Operation>).map(([method, op]) => ({ path, method, op })),
  );

  const index = (
    <ul className="space-y-1 px-5 py-4 text-sm" data-testid="api-index">
      {rows.map(({ path, method, op }) => (
        <li key={method + path}>
          <span className="mr-2 inline-block w-14 font-mono text-xs uppercase text-slate-500">{method}</span>
          <code className="text-slate-800">{path}</code> <span className="text-slate-500">– {op.summary}</span>
        </li>
      ))}
    </ul>
  );

  return (
    <main>
      <div className="mx-auto max-w-6xl px-4 pt-6 sm:px-6">
        <div className="mb-4 flex flex-wrap items-end justify-between gap-4">
          <div>
            <div className="mb-1 text-sm text-slate-500">
              <Link href="/dashboard" className="hover:text-slate-700">Sitemap Forge</Link> / Docs
            </div>
            <h1 className="text-2xl font-semibold tracking-tight text-slate-900">API reference</h1>
            <p className="mt-1 max-w-3xl text-sm text-slate-500">
              Send <code className="rounded bg-slate-100 px-1">Authorization: Bearer sfk_…</code> (keys from the dashboard) or use the
              dashboard&apos;s session. Error codes are <a href="#errors" className="underline">listed below</a>.
            </p>
          </div>
          <a href="/api/v1/openapi.json" className="rounded-lg border border-slate-200 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50">
            openapi.json
          </a>
        </div>
      </div>

      <ApiReference
        document={doc}
        fallback={
          <div className="mx-auto max-w-6xl px-4 sm:px-6">
            <Card>
              <CardHeader title="Operations" description="The interactive reference needs JavaScript; this is the plain list." />
              {index}
            </Card>
          </div>
        }
      />

      <div className="mx-auto max-w-6xl px-4 pb-8 sm:px-6">
        <Card className="mt-6" id="errors">
          <CardHeader title="Error codes" description="Errors are { error: { type, code, message, field?, request_id, doc_url } }; doc_url points at a row here." />
          <table className="w-full text-sm">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th className="px-5 py-2">status</th><th className="px-5 py-2">code</th><th className="px-5 py-2">type</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {Object.entries(ERROR_CODES).map(([code, { status, type }]) => (
                <tr key={code} id={code} className="target:bg-amber-50">
                  <td className="px-5 py-2 tabular-nums">{status}</td>
                  <td className="px-5 py-2"><code>{code}</code></td>
                  <td className="px-5 py-2 text-slate-500">{type}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>
    </main>
  );
}
