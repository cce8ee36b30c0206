/**
 * Local-mode event routing: the Inngest client middleware that hands `inngest.send()` and `step.sendEvent` to the
 * in-process runner (lib/jobs/local-runner.ts) instead of POSTing them to an Inngest event API.
 *
 * How: `Inngest._send` (inngest 4.24.0, components/Inngest.js) validates the payloads, then runs the middleware
 * `wrapSendEvent` chain around the HTTP call. `LocalSendMiddleware.wrapSendEvent` never calls `next()`, so no network
 * request is made; it returns `{ ids }` (the event ids) exactly like the event API would.
 *
 * The sink is kept on `globalThis`, because Next.js may load this module more than once per process (route bundle,
 * instrumentation bundle, HMR): every copy of the client must reach the one runner. Events sent before a sink is set
 * are buffered in memory (at most MAX_BUFFERED_EVENTS; older ones are dropped with a warning) and handed over when
 * `setLocalEventSink()` is called.
 */
import { randomUUID } from "node:crypto";
import { Middleware } from "inngest";

/** An event as the runner stores it: JSON only. `ts` is epoch ms. */
export type LocalEvent = { name: string; data: Record<string, unknown>; id: string; ts: number; v?: string };

/** Where local-mode events go (the runner implements it). `ids` are the event ids, in order. */
export type LocalEventSink = { send(events: LocalEvent[]): Promise<{ ids: string[] }> };

export const MAX_BUFFERED_EVENTS = 10_000;

/** The sink and the buffer of not yet routed events, kept on `globalThis` under this key (module doc). */
export type LocalSendHolder = { sink?: LocalEventSink; buffer: LocalEvent[] };
export const LOCAL_SEND_HOLDER_KEY = "__sitemapForgeInngestSend";
const holder: LocalSendHolder = ((globalThis as unknown as Record<string, LocalSendHolder | undefined>)[LOCAL_SEND_HOLDER_KEY] ??= { buffer: [] });

/**
 * Normalises a payload from `inngest.send()`: drops functions (`validate`) and undefined, fills `id` (random UUID)
 * and `ts` (now, ms) when absent, `data` to `{}`.
 */
export function toLocalEvent(payload: unknown): LocalEvent {
  const p = JSON.parse(JSON.stringify(payload ?? {})) as Partial<LocalEvent>;
  if (typeof p.name !== "string" || !p.name) throw new Error("Inngest event without a name");
  return {
    name: p.name,
    data: p.data && typeof p.data === "object" ? p.data : {},
    id: typeof p.id === "string" && p.id ? p.id : randomUUID(),
    ts: typeof p.ts === "number" ? p.ts : Date.now(),
    ...(p.v ? { v: p.v } : {}),
  };
}

/**
 * Routes local-mode events to `sink` from now on and flushes the buffer into it (awaited; a flush error is thrown,
 * and the events stay buffered). `undefined` detaches the current sink (events buffer again).
 */
export async function setLocalEventSink(sink: LocalEventSink | undefined): Promise<void> {
  holder.sink = sink;
  if (!sink || holder.buffer.length === 0) return;
  const pending = holder.buffer.splice(0);
  try {
    await sink.send(pending);
  } catch (err) {
    holder.buffer.unshift(...pending);
    throw err;
  }
}

/** The current sink, if a runner is attached. */
export function getLocalEventSink(): LocalEventSink | undefined {
  return holder.sink;
}

/** Sends (or buffers) events the way the middleware does. Returns the event ids. */
export async function sendLocal(payloads: readonly unknown[]): Promise<{ ids: string[] }> {
  const events = payloads.map(toLocalEvent);
  if (holder.sink) return holder.sink.send(events);
  holder.buffer.push(...events);
  if (holder.buffer.length > MAX_BUFFERED_EVENTS) {
    const dropped = holder.buffer.splice(0, holder.buffer.length - MAX_BUFFERED_EVENTS);
    console.warn(`[inngest-local] no runner attached: dropped ${dropped.length} buffered event(s)`);
  }
  return { ids: events.map((e) => e.id) };
}

/**
 * Client middleware for local mode (`new Inngest({ middleware: [LocalSendMiddleware] })`): short-circuits the event
 * API call and gives the events to the local runner. Never calls `next()`.
 */
export class LocalSendMiddleware extends Middleware.BaseMiddleware {
  readonly id = "sitemap-forge:local-send";

  override async wrapSendEvent({ events }: Middleware.WrapSendEventArgs) {
    return sendLocal(events as readonly unknown[]);
  }
}
