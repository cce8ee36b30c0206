"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { FeedForm } from "@/components/feed-form";
import { PageHeader } from "@/components/page-header";
import { Card } from "@/components/ui/card";
import { useCreateFeed } from "@/lib/client/feeds";

export default function NewFeedPage() {
  const router = useRouter();
  const create = useCreateFeed();
  return (
    <div className="mx-auto max-w-2xl">
      <PageHeader
        eyebrow={
          <Link href="/dashboard/feeds" className="hover:text-slate-700">
            ← Feeds
          </Link>
        }
        title="New feed"
        description="Refresh it once it is created to publish the first items."
      />
      <Card className="p-6">
        <FeedForm
          submitLabel="Create feed"
          cancelHref="/dashboard/feeds"
          onSubmit={async (body) => {
            const f = await create.mutateAsync(body);
            router.push(`/dashboard/feeds/${f.id}`);
          }}
        />
      </Card>
    </div>
  );
}
