"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { SitemapForm } from "@/components/sitemap-form";
import { Card } from "@/components/ui/card";
import { useCreateSitemap } from "@/lib/client/sitemaps";

export default function NewSitemapPage() {
  const router = useRouter();
  const create = useCreateSitemap();

  return (
    <div className="mx-auto max-w-2xl">
      <PageHeader
        eyebrow={
          <Link href="/dashboard" className="hover:text-slate-700">
            ← Sitemaps
          </Link>
        }
        title="Add a sitemap"
        description="Tell us where your site starts. You can generate the sitemap right after."
      />
      <Card className="p-6">
        <SitemapForm
          submitLabel="Add sitemap"
          cancelHref="/dashboard"
          onSubmit={async (body) => {
            const sitemap = await create.mutateAsync(body);
            router.push(`/dashboard/sitemaps/${sitemap.id}`);
          }}
        />
      </Card>
    </div>
  );
}
