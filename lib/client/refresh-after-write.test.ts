/**
 * refreshAfterWrite against TanStack Query itself: a write that succeeds while a query's first fetch is in flight
 * (that fetch read the list before the write committed) must end with the written row on screen.
 */
import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import { refreshAfterWrite } from "./refresh-after-write";

const key = ["webhooks", "deliveries", "w1"];
let client: QueryClient;

/** A "server": the rows committed so far; each read resolves when the test says so, with the rows at its start. */
function setup() {
  const rows: string[] = [];
  const pending: (() => void)[] = [];
  let reads = 0;
  client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const observer = new QueryObserver(client, {
    queryKey: key,
    queryFn: () => {
      reads++;
      const seen = [...rows];
      return new Promise<string[]>((resolve) => pending.push(() => resolve(seen)));
    },
  });
  const unsubscribe = observer.subscribe(() => {});
  return { rows, pending, observer, unsubscribe, reads: () => reads };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("refreshAfterWrite", () => {
  afterEach(() => client.clear());

  it("a first read in flight during the write is replaced by a read after it", async () => {
    const s = setup();
    await settle();
    expect(s.reads()).toBe(1); // the first read started before the write
    s.rows.push("delivery-1"); // the write commits
    const refreshed = refreshAfterWrite(client, key);
    s.pending.shift()!(); // the stale first read answers (without the row)
    await settle();
    expect(s.reads()).toBe(2);
    s.pending.shift()!();
    await refreshed;
    expect(s.observer.getCurrentResult().data).toEqual(["delivery-1"]);
    s.unsubscribe();
  });

  it("plain invalidateQueries keeps the stale first read (why this helper exists)", async () => {
    const s = setup();
    await settle();
    s.rows.push("delivery-1");
    const invalidated = client.invalidateQueries({ queryKey: key });
    s.pending.shift()!();
    await invalidated;
    await settle();
    expect(s.reads()).toBe(1);
    expect(s.observer.getCurrentResult().data).toEqual([]);
    s.unsubscribe();
  });
});
