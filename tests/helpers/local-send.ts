/**
 * Test-only access to the local-mode event buffer of lib/jobs/local-send.ts (the events `inngest.send()` made while
 * no runner was attached), read from the holder that module keeps on globalThis.
 */
import { LOCAL_SEND_HOLDER_KEY, type LocalEvent, type LocalSendHolder } from "@/lib/jobs/local-send";

/** Removes and returns the buffered events. */
export function takeBufferedEvents(): LocalEvent[] {
  const holder = (globalThis as Record<string, unknown>)[LOCAL_SEND_HOLDER_KEY] as LocalSendHolder | undefined;
  return holder ? holder.buffer.splice(0) : [];
}
