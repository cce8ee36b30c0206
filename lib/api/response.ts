/** Success bodies of /api/v1: `{ data }`, lists `{ data, next_cursor }`, and 204. */

/** 200 (or `init`'s status and headers) with the body `{ data }`, `data` serialised as JSON. */
export const json = (data: unknown, init?: ResponseInit): Response => Response.json({ data }, init);

/** 200 (or `init`'s status) with a list page: `{ data: items, next_cursor }`; `nextCursor` null on the last page. */
export const jsonList = (items: unknown[], nextCursor: string | null, init?: ResponseInit): Response =>
  Response.json({ data: items, next_cursor: nextCursor }, init);

/** 204 No Content, no body. */
export const noContent = (): Response => new Response(null, { status: 204 });
