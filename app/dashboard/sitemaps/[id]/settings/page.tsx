"use client";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { ResourceNotFound } from "@/components/not-found-state";
import { isNotFound } from "@/lib/client/api";
import { LoadingRows, QueryError } from "@/components/query-states";
import { SitemapForm } from "@/components/sitemap-form";
import { Card } from "@/components/ui/card";
import { useSitemap, useUpdateSitemap } from "@/lib/client/sitemaps";

/** Edit a sitemap's settings (PATCH /api/v1/sitemaps/{id}); back to the sitemap page when saved. */
export default function SitemapSettingsPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const sitemap = useSitemap(id);
  const update = useUpdateSitemap(id);

  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader
        eyebrow={
          <Link href={`/dashboard/sitemaps/${id}`} className="hover:text-slate-700">
            ← {sitemap.data?.name ?? "Sitemap"}
          </Link>
        }
        title="Sitemap settings"
        description="Changes apply from the next run; the published files stay until then."
      />
      <Card className="p-6">
        {sitemap.isPending ? (
          <LoadingRows rows={6} label="Loading settings" />
        ) : isNotFound(sitemap.error) ? (
          <ResourceNotFound bare what="sitemap" backHref="/dashboard" backLabel="Back to sitemaps" testId="sitemap-not-found" />
        ) : sitemap.error ? (
          <QueryError error={sitemap.error} onRetry={() => sitemap.refetch()} />
        ) : (
          <SitemapForm
            initial={sitemap.data}
            submitLabel="Save settings"
            cancelHref={`/dashboard/sitemaps/${id}`}
            onSubmit={async (body) => {
              await update.mutateAsync(body);
              router.push(`/dashboard/sitemaps/${id}`);
            }}
          />
        )}
      </Card>
    </div>
  );
}
