"use client";
import { useState } from "react";
import { CopyButton } from "@/components/copy-button";
import { PageHeader } from "@/components/page-header";
import { LoadingRows, QueryError } from "@/components/query-states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { ApiError, errorMessage } from "@/lib/client/api";
import { useSaveShopSubshops, useShopSubshops, type ShopSubshopDto } from "@/lib/client/shop-subshops";

type Row = { subshopId: string; baseUrl: string };
const toRows = (saved: ShopSubshopDto[]): Row[] => saved.map((s) => ({ subshopId: s.subshopId, baseUrl: s.baseUrl }));

/** The row a field error of PUT /api/v1/account/shop-subshops points at ("subshops.1.baseUrl" → 1, "baseUrl"). */
function rowError(err: unknown): { index: number; field: string; message: string } | null {
  const m = err instanceof ApiError ? /^subshops\.(\d+)\.(\w+)/.exec(err.field ?? "") : null;
  return m && err instanceof ApiError ? { index: Number(m[1]), field: m[2], message: err.message } : null;
}

/**
 * The shop subshops: the site behind each subshop id the shop API's sitemaps name (`subshopIds`). POST sitemaps of
 * the shop API crawls the base URL of the sitemap's first subshop; the generated files are public in each subshop's
 * folder (docs/compat.md, Shop API).
 */
function ShopSubshopsCard({ saved }: { saved: ShopSubshopDto[] }) {
  const save = useSaveShopSubshops();
  // The form starts from the saved set (the page renders this card once it is loaded) and takes the stored,
  // normalised values back after a save.
  const [rows, setRows] = useState<Row[]>(() => toRows(saved));
  const bad = rowError(save.error);
  const folder = new Map(saved.map((s) => [s.subshopId, s.filesUrl]));
  const set = (i: number, patch: Partial<Row>) => setRows((r) => r.map((row, j) => (j === i ? { ...row, ...patch } : row)));

  return (
    <Card aria-labelledby="subshops-title">
      <CardHeader id="subshops-title" title="Shop subshops" />
      <form
        className="space-y-4 px-5 py-4"
        data-testid="shop-subshops-form"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(
            rows.map((r) => ({ subshopId: r.subshopId.trim(), baseUrl: r.baseUrl.trim() })),
            { onSuccess: (data) => setRows(toRows(data)) },
          );
        }}
      >
        <p className="text-sm text-slate-600">
          Clients of the shop sitemaps API (<code className="font-mono text-[13px]">/api/shop/</code>) name sites only by subshop id. Give each
          subshop the base URL of its site: a sitemap crawls its first subshop&apos;s base URL, and its files are public in each subshop&apos;s
          folder below.
        </p>
        {rows.length === 0 && <p className="text-sm text-slate-500" data-testid="shop-subshops-empty">No subshops yet: add one.</p>}
        {rows.map((row, i) => {
          const files = folder.get(row.subshopId.trim().toLowerCase());
          return (
            <div key={i} className="flex flex-wrap items-start gap-3" data-testid="shop-subshop-row">
              <TextField
                className="w-32"
                label="Subshop id"
                name={`subshopId-${i}`}
                placeholder="1"
                value={row.subshopId}
                onChange={(e) => set(i, { subshopId: e.target.value })}
                error={bad?.index === i && bad.field === "subshopId" ? bad.message : null}
                required
              />
              <TextField
                className="min-w-64 flex-1"
                label="Base URL"
                name={`baseUrl-${i}`}
                type="url"
                placeholder="https://www.your-shop.example/"
                value={row.baseUrl}
                onChange={(e) => set(i, { baseUrl: e.target.value })}
                error={bad?.index === i && bad.field === "baseUrl" ? bad.message : null}
                hint={files ? <>Files: <span className="font-mono" data-testid="subshop-files-url">{files}</span></> : undefined}
                trailing={files ? <CopyButton value={files} /> : undefined}
                required
              />
              <Button type="button" variant="secondary" size="sm" className="mt-7" onClick={() => setRows((r) => r.filter((_, j) => j !== i))} data-testid="remove-subshop">
                Remove
              </Button>
            </div>
          );
        })}
        {save.error && !bad && <Alert testId="shop-subshops-error">{errorMessage(save.error)}</Alert>}
        {save.isSuccess && !save.isPending && <p className="text-sm text-emerald-700" data-testid="shop-subshops-saved">Saved.</p>}
        <div className="flex gap-2">
          <Button type="button" variant="secondary" onClick={() => setRows((r) => [...r, { subshopId: String(r.length + 1), baseUrl: "" }])} data-testid="add-subshop">
            Add subshop
          </Button>
          <Button type="submit" loading={save.isPending} data-testid="save-subshops">
            Save
          </Button>
        </div>
      </form>
    </Card>
  );
}

export default function AccountPage() {
  const subshops = useShopSubshops();
  return (
    <div className="space-y-6">
      <PageHeader title="Account" description="Settings of your account that the compatibility APIs use." />
      {subshops.isPending ? (
        <LoadingRows rows={2} label="Loading subshops" />
      ) : subshops.error ? (
        <QueryError error={subshops.error} onRetry={() => subshops.refetch()} />
      ) : (
        <ShopSubshopsCard saved={subshops.data} />
      )}
    </div>
  );
}
