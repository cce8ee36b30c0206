"use client";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { PlusIcon, SitemapIcon } from "@/components/icons";
import { PageHeader } from "@/components/page-header";
import { ListStates, TableShell } from "@/components/query-states";
import { KIND_LABEL } from "@/components/template-editor";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { formatDateTime, formatRelative } from "@/lib/client/format";
import { useTemplates } from "@/lib/client/templates";

/** The account's templates (GET /api/v1/templates): kind, version, what uses them. */
export default function TemplatesPage() {
  const query = useTemplates();
  const { data } = query;
  const add = (
    <ButtonLink href="/dashboard/templates/new" data-testid="add-template">
      <PlusIcon /> New template
    </ButtonLink>
  );
  return (
    <>
      <PageHeader
        title="Templates"
        description="LiquidJS templates for XML sitemaps, HTML sitemaps and RSS feeds. Output is validated before it is published."
        actions={data && data.length > 0 ? add : undefined}
      />
      <Card>
        <ListStates query={query} rows={3} loadingLabel="Loading templates" empty={
          <EmptyState
            testId="templates-empty"
            icon={<SitemapIcon />}
            title="No templates yet"
            description="The built-in writers need none. Add a template to control the exact markup of a sitemap or feed."
            action={add}
          />
        }>
          {(data) => (
            <TableShell testId="templates-table" caption="Your templates" head={<>
                  <th scope="col" className="px-5 py-3 font-medium">Template</th>
                  <th scope="col" className="px-4 py-3 font-medium">Kind</th>
                  <th scope="col" className="px-4 py-3 text-right font-medium">Version</th>
                  <th scope="col" className="px-4 py-3 font-medium">Used by</th>
                  <th scope="col" className="px-5 py-3 font-medium">Updated</th>
            </>}>
                {data.map((t) => (
                  <tr key={t.id} data-testid="template-row" className="hover:bg-slate-50/60">
                    <td className="px-5 py-3">
                      <Link href={`/dashboard/templates/${t.id}`} className="font-medium text-slate-900 hover:text-indigo-600">
                        {t.name}
                      </Link>
                    </td>
                    <td className="px-4 py-3">
                      <Badge tone={t.kind === "xml" ? "indigo" : t.kind === "html" ? "blue" : "amber"}>{KIND_LABEL[t.kind]}</Badge>
                    </td>
                    <td className="px-4 py-3 text-right tabular-nums text-slate-600">v{t.version}</td>
                    <td className="px-4 py-3 text-slate-600" data-testid="template-used-by">
                      {t.usedBy.sitemaps + t.usedBy.feeds === 0
                        ? "—"
                        : [t.usedBy.sitemaps && `${t.usedBy.sitemaps} sitemap${t.usedBy.sitemaps === 1 ? "" : "s"}`, t.usedBy.feeds && `${t.usedBy.feeds} feed${t.usedBy.feeds === 1 ? "" : "s"}`]
                            .filter(Boolean)
                            .join(", ")}
                    </td>
                    <td className="px-5 py-3 whitespace-nowrap text-slate-500" title={formatDateTime(t.updatedAt)}>
                      {formatRelative(t.updatedAt)}
                    </td>
                  </tr>
                ))}
            </TableShell>
          )}
        </ListStates>
      </Card>
    </>
  );
}
