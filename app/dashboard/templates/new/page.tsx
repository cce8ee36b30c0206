"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { STARTERS, TemplateEditor } from "@/components/template-editor";
import { useCreateTemplate } from "@/lib/client/templates";

/** New template (POST /api/v1/templates), starting from a valid XML sitemap template. */
export default function NewTemplatePage() {
  const router = useRouter();
  const create = useCreateTemplate();
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/dashboard/templates" className="hover:text-slate-700">
            ← Templates
          </Link>
        }
        title="New template"
        description="Edit the source on the left; the preview renders it with sample data as you type."
      />
      <TemplateEditor
        initial={{ name: "", kind: "xml", content: STARTERS.xml }}
        submitLabel="Create template"
        cancelHref="/dashboard/templates"
        onSubmit={async (v) => {
          const t = await create.mutateAsync(v);
          router.push(`/dashboard/templates/${t.id}`);
        }}
      />
    </>
  );
}
