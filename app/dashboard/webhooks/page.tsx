"use client";
import { useState } from "react";
import { CopyButton } from "@/components/copy-button";
import { EmptyState } from "@/components/empty-state";
import { KeyIcon } from "@/components/icons";
import { PageHeader } from "@/components/page-header";
import { LoadingRows, QueryError, TableShell } from "@/components/query-states";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CheckboxField, TextField } from "@/components/ui/field";
import { ApiError, errorMessage } from "@/lib/client/api";
import { formatDateTime, formatRelative } from "@/lib/client/format";
import {
  useCreateWebhook,
  useDeleteWebhook,
  useTestWebhook,
  useUpdateWebhook,
  useWebhookDeliveries,
  useWebhooks,
  type CreatedWebhookDto,
  type WebhookDto,
} from "@/lib/client/webhooks";
import { WEBHOOK_EVENTS, type WebhookEvent } from "@/lib/schemas/webhooks";

const EVENT_HELP: Record<WebhookEvent, string> = {
  "run.succeeded": "A run published new files.",
  "run.failed": "A run ended with an error.",
  "run.held": "The publish guard held a run: it lists far fewer URLs than the published one, so its files were not published.",
  "submission.completed": "A submission batch finished.",
};

function CreateForm({ onCreated }: { onCreated: (w: CreatedWebhookDto) => void }) {
  const create = useCreateWebhook();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(["run.succeeded", "run.failed"]);
  const err = create.error;
  const urlError = err instanceof ApiError && err.field?.startsWith("url") ? err.message.replace(/^"[^"]+":\s*/, "") : null;
  return (
    <form
      className="space-y-4 px-5 py-4"
      data-testid="create-webhook-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ url: url.trim(), events }, { onSuccess: (w) => { onCreated(w); setUrl(""); } });
      }}
    >
      <TextField label="Receiver URL" name="webhookUrl" type="url" placeholder="https://example.com/hooks/sitemap-forge" value={url} onChange={(e) => setUrl(e.target.value)} error={urlError} />
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Events</legend>
        <div className="mt-2 grid gap-3 sm:grid-cols-3">
          {WEBHOOK_EVENTS.map((ev) => (
            <CheckboxField
              key={ev}
              name={`event-${ev}`}
              label={ev}
              description={EVENT_HELP[ev]}
              checked={events.includes(ev)}
              onChange={(e) => setEvents((s) => (e.target.checked ? [...s, ev] : s.filter((x) => x !== ev)))}
            />
          ))}
        </div>
      </fieldset>
      {err && !urlError && <Alert testId="create-webhook-error">{errorMessage(err)}</Alert>}
      <div className="flex justify-end">
        <Button type="submit" loading={create.isPending} disabled={!url.trim() || events.length === 0} data-testid="create-webhook">
          Add webhook
        </Button>
      </div>
    </form>
  );
}

function Deliveries({ id }: { id: string }) {
  const q = useWebhookDeliveries(id);
  if (q.isPending) return <LoadingRows rows={2} label="Loading deliveries" />;
  if (q.error) return <QueryError error={q.error} onRetry={() => q.refetch()} />;
  if (q.data.data.length === 0) return <p className="px-5 py-4 text-sm text-slate-500" data-testid="deliveries-empty">No deliveries yet.</p>;
  return (
    <TableShell testId="deliveries-table" caption="Deliveries" head={<>
          <th scope="col" className="px-5 py-2 font-medium">When</th>
          <th scope="col" className="px-4 py-2 font-medium">Event</th>
          <th scope="col" className="px-4 py-2 font-medium">Status</th>
          <th scope="col" className="px-4 py-2 text-right font-medium">HTTP</th>
          <th scope="col" className="px-4 py-2 text-right font-medium">Attempts</th>
          <th scope="col" className="py-2 pr-5 pl-4 font-medium">Error</th>
    </>}>
        {q.data.data.map((d) => (
          <tr key={d.id} data-testid="delivery-row" data-status={d.status}>
            <td className="px-5 py-2 whitespace-nowrap text-slate-600" title={formatDateTime(d.createdAt)}>{formatRelative(d.createdAt)}</td>
            <td className="px-4 py-2 font-mono text-[13px] text-slate-700">{d.event}</td>
            <td className="px-4 py-2">
              <Badge tone={d.status === "delivered" ? "green" : d.status === "failed" ? "red" : "blue"}>{d.status}</Badge>
            </td>
            <td className="px-4 py-2 text-right tabular-nums text-slate-600">{d.lastStatus ?? "—"}</td>
            <td className="px-4 py-2 text-right tabular-nums text-slate-600">{d.attempts}</td>
            <td className="max-w-xs truncate py-2 pr-5 pl-4 text-slate-500" title={d.lastError ?? undefined}>{d.lastError ?? ""}</td>
          </tr>
        ))}
    </TableShell>
  );
}

function WebhookRow({ w, onDelete }: { w: WebhookDto; onDelete: () => void }) {
  const [open, setOpen] = useState(false);
  const update = useUpdateWebhook();
  const test = useTestWebhook();
  return (
    <li data-testid="webhook-row" className="border-b border-slate-100 last:border-0">
      <div className="flex flex-wrap items-center gap-3 px-5 py-3.5">
        <div className="min-w-0 flex-1">
          <div className="truncate font-mono text-[13px] text-slate-900" data-testid="webhook-url">{w.url}</div>
          <div className="mt-1 flex flex-wrap gap-1.5">
            {w.events.map((e) => <Badge key={e} tone="indigo">{e}</Badge>)}
            {!w.active && <Badge tone="amber">Inactive</Badge>}
          </div>
        </div>
        <Button size="sm" variant="ghost" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="toggle-deliveries">
          {open ? "Hide deliveries" : "Deliveries"}
        </Button>
        <Button size="sm" variant="secondary" loading={test.isPending} disabled={!w.active} onClick={() => { setOpen(true); test.mutate(w.id); }} data-testid="test-webhook">
          Send test
        </Button>
        <Button size="sm" variant="secondary" loading={update.isPending} onClick={() => update.mutate({ id: w.id, body: { active: !w.active } })} data-testid="toggle-webhook">
          {w.active ? "Deactivate" : "Activate"}
        </Button>
        <Button size="sm" variant="ghost" className="text-red-600 hover:bg-red-50" onClick={onDelete} data-testid="delete-webhook">
          Delete
        </Button>
      </div>
      {(test.error || update.error) && <Alert className="mx-5 mb-3">{errorMessage(test.error ?? update.error)}</Alert>}
      {open && (
        <div className="border-t border-slate-100 bg-slate-50/50">
          <Deliveries id={w.id} />
        </div>
      )}
    </li>
  );
}

/** Webhooks: create (the signing secret is shown once), deliveries with their HTTP status, test, (de)activate, delete. */
export default function WebhooksPage() {
  const { data, error, isPending, refetch } = useWebhooks();
  const remove = useDeleteWebhook();
  const [created, setCreated] = useState<CreatedWebhookDto | null>(null);
  const [deleting, setDeleting] = useState<WebhookDto | null>(null);

  return (
    <div className="space-y-6">
      <PageHeader title="Webhooks" description="HMAC-signed POSTs when runs finish and submissions complete, retried with back-off." />
      {created && (
        <Card className="border-emerald-200 ring-4 ring-emerald-50" data-testid="new-webhook-secret">
          <div className="p-5">
            <h2 className="text-sm font-semibold text-slate-900">Signing secret for {created.url}</h2>
            <p className="mt-1 text-sm text-slate-600">
              <strong className="font-semibold text-slate-900">Copy it now — you won’t see it again.</strong> Verify each delivery’s signature with it.
            </p>
            <div className="mt-4 flex flex-wrap items-center gap-2">
              <code className="min-w-0 flex-1 break-all rounded-lg bg-slate-900 px-3 py-2.5 font-mono text-[13px] text-emerald-300" data-testid="webhook-secret">
                {created.secret}
              </code>
              <CopyButton value={created.secret} />
            </div>
          </div>
          <div className="flex justify-end border-t border-slate-100 bg-slate-50 px-5 py-3">
            <Button variant="secondary" size="sm" onClick={() => setCreated(null)} data-testid="secret-done">
              I’ve copied it
            </Button>
          </div>
        </Card>
      )}
      <Card aria-labelledby="new-webhook-title">
        <CardHeader id="new-webhook-title" title="Add a webhook" />
        <CreateForm onCreated={setCreated} />
      </Card>
      <Card aria-labelledby="webhooks-title">
        <CardHeader id="webhooks-title" title="Your webhooks" />
        {remove.error && <Alert className="m-5">{errorMessage(remove.error)}</Alert>}
        {isPending ? (
          <LoadingRows rows={2} label="Loading webhooks" />
        ) : error ? (
          <QueryError error={error} onRetry={() => refetch()} />
        ) : data.length === 0 ? (
          <EmptyState testId="webhooks-empty" icon={<KeyIcon />} title="No webhooks yet" description="Add a receiver URL above to get notified about runs and submissions." />
        ) : (
          <ul>
            {data.map((w) => (
              <WebhookRow key={w.id} w={w} onDelete={() => setDeleting(w)} />
            ))}
          </ul>
        )}
      </Card>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        busy={remove.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSettled: () => setDeleting(null) })}
      >
        {deleting?.url} stops receiving deliveries.
      </ConfirmDialog>
    </div>
  );
}
