import { AppError } from './errors.ts';
import { uuidPattern } from './ids.ts';

/** One page of a list, and the opaque cursor for the next (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  cursor?: string | undefined;
  limit: number;
}

export const defaultPageSize = 50;
export const maxPageSize = 500;

/** Cursors are opaque to clients: the id of the last item seen, base64url-encoded. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!uuidPattern.test(id))
    throw new AppError('BAD_CURSOR', 'The cursor is not one this server gave out.');
  return id;
}

/** Builds a page from `limit + 1` rows fetched in id order. */
export function toPage<R extends { id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { items: kept.map(map), nextCursor: hasMore && last ? encodeCursor(last.id) : null };
}
