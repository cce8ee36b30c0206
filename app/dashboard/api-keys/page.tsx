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
import { TextField } from "@/components/ui/field";
import { ApiError, errorMessage } from "@/lib/client/api";
import { API_SCOPES, type ApiScope } from "@/lib/schemas/api-keys";
import { useApiKeys, useCreateApiKey, useRevokeApiKey, type ApiKeyDto, type CreatedApiKeyDto } from "@/lib/client/api-keys";
import { formatDateTime, formatRelative } from "@/lib/client/format";

/** The plaintext key, shown once right after creation. It lives only in this component's state. */
function NewKeyNotice({ created, onDone }: { created: CreatedApiKeyDto; onDone: () => void }) {
  return (
    <Card className="border-emerald-200 ring-4 ring-emerald-50" data-testid="new-key">
      <div className="p-5">
        <h2 className="text-sm font-semibold text-slate-900">Your new API key “{created.name}”</h2>
        <p className="mt-1 text-sm text-slate-600">
          <strong className="font-semibold text-slate-900">Copy it now — you won’t see it again.</strong> We store only a hash of it. If you lose
          it, revoke it and create a new one.
        </p>
        <div className="mt-4 flex flex-wrap items-center gap-2">
          <code
            className="min-w-0 flex-1 select-all break-all rounded-lg bg-slate-900 px-3 py-2.5 font-mono text-[13px] text-emerald-300"
            data-testid="new-key-value"
          >
            {created.key}
          </code>
          <CopyButton value={created.key} testId="copy-key" />
        </div>
        <p className="mt-3 text-xs text-slate-500">
          Send it as <code className="rounded bg-slate-100 px-1 py-0.5 font-mono">Authorization: Bearer &lt;key&gt;</code> to
          /api/v1.
        </p>
      </div>
      <div className="flex justify-end border-t border-slate-100 bg-slate-50 px-5 py-3">
        <Button variant="secondary" size="sm" onClick={onDone} data-testid="new-key-done">
          I’ve copied it
        </Button>
      </div>
    </Card>
  );
}

/** What each scope lets a key do (the API's scope table; a dashboard session holds them all). */
const SCOPE_HELP: Record<ApiScope, string> = {
  read: "Every GET: sitemaps, runs, files, usage.",
  write: "Create, change and delete sitemaps.",
  generate: "Start runs.",
  submit: "Submit sitemaps to search engines.",
  templates: "Manage output templates.",
};

/** Scope checkboxes of the create form: every scope is ticked at first (the API's default), at least one must stay. */
function ScopePicker({ value, onChange, error }: { value: ApiScope[]; onChange: (v: ApiScope[]) => void; error?: string | null }) {
  return (
    <fieldset className="w-full" data-testid="key-scopes">
      <legend className="text-sm font-medium text-slate-700">Scopes</legend>
      <p className="mt-0.5 text-xs text-slate-500">What the key may do. A request outside its scopes gets 403 forbidden.</p>
      <div className="mt-2 grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
        {API_SCOPES.map((scope) => (
          <label key={scope} className="flex items-start gap-2 rounded-lg border border-slate-200 px-3 py-2 text-sm hover:bg-slate-50">
            <input
              type="checkbox"
              className="mt-0.5 size-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-600"
              name="scopes"
              value={scope}
              checked={value.includes(scope)}
              onChange={(e) => onChange(e.target.checked ? API_SCOPES.filter((s) => s === scope || value.includes(s)) : value.filter((s) => s !== scope))}
              data-testid={`scope-${scope}`}
            />
            <span>
              <span className="font-mono text-[13px] font-medium text-slate-900">{scope}</span>
              <span className="block text-xs text-slate-500">{SCOPE_HELP[scope]}</span>
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p className="mt-1.5 text-xs text-red-600" data-testid="key-scopes-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (k: CreatedApiKeyDto) => void }) {
  const create = useCreateApiKey();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiScope[]>([...API_SCOPES]);
  const err = create.error;
  const fieldError = err instanceof ApiError && err.field?.endsWith("name") ? err.message : null;
  const scopesError = err instanceof ApiError && err.field?.startsWith("scopes") ? err.message : scopes.length === 0 ? "Pick at least one scope." : null;

  return (
    <form
      className="flex flex-wrap items-start gap-3 px-5 py-4"
      data-testid="create-key-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim() || scopes.length === 0) return;
        create.mutate(
          { name: name.trim(), scopes },
          {
            onSuccess: (k) => {
              setName("");
              setScopes([...API_SCOPES]);
              onCreated(k);
            },
          },
        );
      }}
    >
      <TextField
        className="min-w-56 flex-1"
        label="Key name"
        name="name"
        placeholder="CI deploy hook"
        hint="Something that tells you where the key is used."
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={fieldError}
        maxLength={100}
        required
      />
      <Button type="submit" className="mt-7" loading={create.isPending} disabled={!name.trim() || scopes.length === 0} data-testid="create-key">
        Create key
      </Button>
      <ScopePicker value={scopes} onChange={setScopes} error={scopesError} />
      {err && !fieldError && !(err instanceof ApiError && err.field?.startsWith("scopes")) && (
        <Alert className="w-full" testId="create-key-error">
          {errorMessage(err)}
        </Alert>
      )}
    </form>
  );
}

/** A key's scopes: "All scopes" when it holds every one, else one badge per scope in the API's order. */
function ScopeList({ scopes }: { scopes: ApiScope[] }) {
  if (API_SCOPES.every((s) => scopes.includes(s))) return <Badge tone="indigo">All scopes</Badge>;
  return (
    <div className="flex flex-wrap gap-1">
      {API_SCOPES.filter((s) => scopes.includes(s)).map((s) => (
        <Badge key={s} tone="gray" className="font-mono">
          {s}
        </Badge>
      ))}
    </div>
  );
}

function KeyRow({ k, onRevoke }: { k: ApiKeyDto; onRevoke: (k: ApiKeyDto) => void }) {
  const revoked = Boolean(k.revokedAt);
  return (
    <tr data-testid="api-key-row" data-key-id={k.id} data-revoked={revoked || undefined} className={revoked ? "text-slate-400" : undefined}>
      <td className="px-5 py-3">
        <div className={revoked ? "font-medium" : "font-medium text-slate-900"} data-testid="api-key-name">
          {k.name}
        </div>
        <div className="font-mono text-xs text-slate-500" data-testid="api-key-masked">
          {k.prefix}…{k.lastFour}
        </div>
      </td>
      <td className="px-5 py-3" data-testid="api-key-scopes">
        <ScopeList scopes={k.scopes} />
      </td>
      <td className="whitespace-nowrap px-5 py-3 text-slate-500" title={formatDateTime(k.createdAt)}>
        {formatRelative(k.createdAt)}
      </td>
      <td className="whitespace-nowrap px-5 py-3 text-slate-500" title={k.lastUsedAt ? formatDateTime(k.lastUsedAt) : undefined}>
        {k.lastUsedAt ? formatRelative(k.lastUsedAt) : "Never"}
      </td>
      <td className="px-5 py-3 text-right">
        {revoked ? (
          <Badge tone="gray" testId="api-key-revoked">
            Revoked {formatRelative(k.revokedAt)}
          </Badge>
        ) : (
          <Button size="sm" variant="secondary" className="text-red-600" onClick={() => onRevoke(k)} data-testid="revoke-key">
            Revoke
          </Button>
        )}
      </td>
    </tr>
  );
}

export default function ApiKeysPage() {
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [created, setCreated] = useState<CreatedApiKeyDto | null>(null);
  const [toRevoke, setToRevoke] = useState<ApiKeyDto | null>(null);

  // Active keys first, then revoked ones; newest first within each group.
  const sorted = [...(keys.data ?? [])].sort(
    (a, b) => Number(Boolean(a.revokedAt)) - Number(Boolean(b.revokedAt)) || b.createdAt.localeCompare(a.createdAt),
  );

  return (
    <div className="space-y-6">
      <PageHeader title="API keys" description="Keys let scripts and CI call the REST API (/api/v1) as you. Treat them like passwords." />

      {created && <NewKeyNotice created={created} onDone={() => setCreated(null)} />}

      <Card aria-labelledby="create-title">
        <CardHeader id="create-title" title="Create a key" />
        <CreateKeyForm onCreated={setCreated} />
      </Card>

      {revoke.error && <Alert testId="revoke-error">{errorMessage(revoke.error)}</Alert>}

      <Card aria-labelledby="keys-title">
        <CardHeader id="keys-title" title="Your keys" />
        {keys.isPending ? (
          <LoadingRows rows={2} label="Loading API keys" />
        ) : keys.error ? (
          <QueryError error={keys.error} onRetry={() => keys.refetch()} />
        ) : sorted.length === 0 ? (
          <EmptyState testId="api-keys-empty" icon={<KeyIcon />} title="No API keys yet" description="Create one above to use the API from scripts or CI." />
        ) : (
          <TableShell testId="api-keys-table" caption="Your API keys" head={<>
                  <th scope="col" className="px-5 py-2 font-medium">Name</th>
                  <th scope="col" className="px-5 py-2 font-medium">Scopes</th>
                  <th scope="col" className="px-5 py-2 font-medium">Created</th>
                  <th scope="col" className="px-5 py-2 font-medium">Last used</th>
                  <th scope="col" className="px-5 py-2"><span className="sr-only">Actions</span></th>
          </>}>
                {sorted.map((k) => (
                  <KeyRow key={k.id} k={k} onRevoke={setToRevoke} />
                ))}
          </TableShell>
        )}
      </Card>

      <ConfirmDialog
        open={Boolean(toRevoke)}
        title={`Revoke “${toRevoke?.name ?? ""}”?`}
        confirmLabel="Revoke key"
        busy={revoke.isPending}
        testId="revoke-dialog"
        onCancel={() => setToRevoke(null)}
        onConfirm={() => {
          if (!toRevoke) return;
          revoke.mutate(toRevoke.id, {
            onSettled: () => setToRevoke(null),
            onSuccess: () => {
              // The notice would show a key that no longer works.
              if (created?.id === toRevoke.id) setCreated(null);
            },
          });
        }}
      >
        Requests with this key start failing with 401 right away. This cannot be undone.
      </ConfirmDialog>
    </div>
  );
}
