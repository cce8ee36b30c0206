import type { ReactNode } from "react";
import type { SitemapDto } from "@/lib/client/sitemaps";
import { DEFAULT_USER_AGENT } from "@/lib/core/types";
import { formatBytes, formatCount, formatDateTime } from "@/lib/client/format";
import { Badge } from "./ui/badge";
import { Button, ButtonLink } from "./ui/button";
import { Card, CardHeader } from "./ui/card";

function Row({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-4 py-2">
      <dt className="shrink-0 text-slate-500">{label}</dt>
      <dd className="min-w-0 truncate text-right text-slate-800">{children}</dd>
    </div>
  );
}

/** Read-only view of a sitemap's crawl and output settings, with Edit (the settings page) and pause/resume. */
export function SettingsSummary({ sitemap: s, onToggleActive, toggling }: { sitemap: SitemapDto; onToggleActive: () => void; toggling?: boolean }) {
  const ext = s.gzip ? ".xml.gz" : ".xml";
  return (
    <Card className="min-w-0" aria-labelledby="settings-title" data-testid="settings-summary">
      <CardHeader
        id="settings-title"
        title="Settings"
        actions={
          <>
            <ButtonLink href={`/dashboard/sitemaps/${s.id}/settings`} size="sm" variant="secondary" data-testid="edit-settings">
              Edit
            </ButtonLink>
            <Button size="sm" variant="secondary" onClick={onToggleActive} loading={toggling} data-testid="toggle-active">
              {s.active ? "Pause" : "Resume"}
            </Button>
          </>
        }
      />
      <dl className="divide-y divide-slate-100 px-5 py-2 text-sm">
        <Row label="Status">{s.active ? <Badge tone="green">Active</Badge> : <Badge tone="amber">Paused</Badge>}</Row>
        <Row label="File name">
          <span className="font-mono text-[13px]" data-testid="settings-file-name">
            {s.fileName}
            {ext}
          </span>
        </Row>
        <Row label="Max pages">{formatCount(s.crawl.maxPages)}</Row>
        <Row label="Max depth">{formatCount(s.crawl.maxDepth)}</Row>
        <Row label="Concurrency">{formatCount(s.crawl.concurrency)}</Row>
        <Row label="robots.txt">{s.crawl.respectRobots ? "Respected" : "Ignored"}</Row>
        <Row label="User agent">
          <span title={s.crawl.userAgent ?? DEFAULT_USER_AGENT}>{s.crawl.userAgent ?? "Default"}</span>
        </Row>
        <Row label="URL rules">{s.crawl.rules.length === 0 ? "None" : <span data-testid="settings-rules">{s.crawl.rules.length}</span>}</Row>
        <Row label="JS rendering">{s.crawl.renderJs === "off" ? "Off" : s.crawl.renderJs === "auto" ? "Auto" : "Always"}</Row>
        <Row label="noindex pages">{s.crawl.excludeNoindex ? "Left out" : "Listed"}</Row>
        <Row label="Duplicates">{s.crawl.collapseDuplicates ? "One URL per cluster" : "All listed"}</Row>
        <Row label="Priority">
          <span data-testid="settings-priority">
            {s.output.priorityMode === "off" ? "Omitted" : s.output.priorityMode === "depth" ? "By depth" : (s.output.defaultPriority ?? 0.5).toFixed(1)}
          </span>
        </Row>
        <Row label="Changefreq">{s.output.defaultChangefreq ?? "Omitted"}</Row>
        <Row label="lastmod">{s.output.lastmod ? (s.output.lastmodSource === "content" ? "From content" : "Last-Modified") : "Omitted"}</Row>
        <Row label="URLs per file">{formatCount(s.maxFileEntries)}</Row>
        <Row label="Max file size">{formatBytes(s.maxFileSize)}</Row>
        <Row label="Gzip">{s.gzip ? "On" : "Off"}</Row>
        <Row label="Publish guard">{s.publishGuard === null ? "Off" : `Hold on a drop > ${Math.round(s.publishGuard * 1000) / 10} %`}</Row>
        <Row label="Created">{formatDateTime(s.createdAt)}</Row>
      </dl>
    </Card>
  );
}
