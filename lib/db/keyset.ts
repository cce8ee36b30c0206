/**
 * Keyset pagination over `(createdAt, id)`, newest first: stable under inserts, no OFFSET scans.
 * `after` is the last row of the previous page; callers fetch `limit + 1` rows to know whether a next page exists.
 */
export type KeysetAfter = { createdAt: Date; id: string };

export const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];

export const olderThan = (after?: KeysetAfter | null) =>
  after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {};

export function pageOf<T extends { createdAt: Date; id: string }>(
  rows: T[],
  limit: number,
): { rows: T[]; next: KeysetAfter | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
