import { api, type Page, type Query } from '../../api.ts';

/**
 * Every item of a cursor-paged list, up to `maxPages` pages of 500: the API has no count
 * endpoint, so the overview counts what it pages. `complete` is false when it stopped early.
 */
// The caller names the items' type, as with api<T>: the API's schema is the contract.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export async function fetchAll<T>(
  path: string,
  query: Query = {},
  maxPages = 10,
): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await api<Page<T>>(path, { query: { ...query, limit: 500, cursor } });
    items.push(...answer.items);
    if (!answer.nextCursor) return { items, complete: true };
    cursor = answer.nextCursor;
  }
  return { items, complete: false };
}

const dayMs = 86_400_000;

/** The overview's period: the last 90 days up to now, rounded to the minute so queries are shared. */
export function last90Days(): { from: string; to: string } {
  const now = Math.ceil(Date.now() / 60_000) * 60_000;
  return { from: new Date(now - 90 * dayMs).toISOString(), to: new Date(now).toISOString() };
}
