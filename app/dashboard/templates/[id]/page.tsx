"use client";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { PageHeader } from "@/components/page-header";
import { ResourceNotFound } from "@/components/not-found-state";
import { LoadingRows, QueryError } from "@/components/query-states";
import { TemplateEditor } from "@/components/template-editor";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { errorMessage, isNotFound } from "@/lib/client/api";
import { useDeleteTemplate, useTemplate, useUpdateTemplate } from "@/lib/client/templates";

/** Edit a template (PATCH name/content; the kind is fixed) with its live preview; delete (409 while in use). */
export default function TemplatePage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const template = useTemplate(id);
  const update = useUpdateTemplate(id);
  const remove = useDeleteTemplate();
  const [confirm, setConfirm] = useState(false);
  const [saved, setSaved] = useState(false);
  const t = template.data;

  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/dashboard/templates" className="hover:text-slate-700">
            ← Templates
          </Link>
        }
        title={<span data-testid="template-title">{t?.name ?? "Template"}</span>}
        description={t ? `Version ${t.version} · used by ${t.usedBy.sitemaps} sitemap(s) and ${t.usedBy.feeds} feed(s)` : undefined}
      />
      {remove.error && (
        <Alert className="mb-4" testId="delete-error">
          {errorMessage(remove.error)}
        </Alert>
      )}
      {saved && (
        <Alert tone="success" className="mb-4" testId="template-saved">
          Saved as version {t?.version}.
        </Alert>
      )}
      {template.isPending ? (
        <Card>
          <LoadingRows rows={6} label="Loading template" />
        </Card>
      ) : isNotFound(template.error) ? (
        <ResourceNotFound what="template" backHref="/dashboard/templates" backLabel="Back to templates" testId="template-not-found" />
      ) : template.error || !t ? (
        <Card>
          <QueryError error={template.error} onRetry={() => template.refetch()} />
        </Card>
      ) : (
        <TemplateEditor
          key={`${t.id}-${t.version}-${t.name}`}
          initial={{ name: t.name, kind: t.kind, content: t.content }}
          kindLocked
          submitLabel="Save changes"
          cancelHref="/dashboard/templates"
          onSubmit={async (v) => {
            setSaved(false);
            await update.mutateAsync({ name: v.name, content: v.content });
            setSaved(true);
          }}
          extraActions={
            <Button variant="ghost" className="text-red-600 hover:bg-red-50 hover:text-red-700" onClick={() => { remove.reset(); setConfirm(true); }} data-testid="delete-template">
              Delete
            </Button>
          }
        />
      )}
      <ConfirmDialog
        open={confirm}
        title={`Delete “${t?.name ?? ""}”?`}
        confirmLabel="Delete template"
        busy={remove.isPending}
        testId="delete-template-dialog"
        onCancel={() => setConfirm(false)}
        onConfirm={() =>
          remove.mutate(id, {
            onSuccess: () => router.push("/dashboard/templates"),
            onSettled: () => setConfirm(false),
          })
        }
      >
        Sitemaps and feeds must stop using it first. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
