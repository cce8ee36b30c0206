/**
 * refreshAfterWrite(queryClient, queryKey): makes the queries under `queryKey` show a write that just succeeded.
 *
 * `invalidateQueries` alone is not enough when the query's first fetch is still in flight: TanStack Query then keeps
 * that fetch (it cancels an in-flight refetch only when the query already has data) and starts none after it, so a
 * list read just before the write committed stays on screen without the new row (the webhooks page opened its
 * deliveries and sent a test at the same click, and showed "No deliveries yet"). Cancelling first drops that fetch;
 * the invalidation then refetches every active query under the key.
 * Returns when the refetch has settled; never rejects on a fetch error (the query shows it).
 */
import type { QueryClient, QueryKey } from "@tanstack/react-query";

/** Cancels the in-flight queries under `queryKey`, then invalidates them (why: module doc). */
export async function refreshAfterWrite(queryClient: QueryClient, queryKey: QueryKey): Promise<void> {
  await queryClient.cancelQueries({ queryKey });
  await queryClient.invalidateQueries({ queryKey });
}
