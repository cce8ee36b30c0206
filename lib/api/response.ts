/** Success bodies of /api/v1: `{ data }`, lists `{ data, next_cursor }`, and 204. */
export const json = (data: unknown, init?: ResponseInit): Response => Response.json({ data }, init);

export const jsonList = (items: unknown[], nextCursor: string | null, init?: ResponseInit): Response =>
  Response.json({ data: items, next_cursor: nextCursor }, init);

export const noContent = (): Response => new Response(null, { status: 204 });
