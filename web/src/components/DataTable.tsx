import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, type Page, type Query } from '../api.ts';
import { Empty, ErrorMessage, Loading } from './Status.tsx';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** Right-aligned numbers. */
  numeric?: boolean;
}

/** A plain table of rows already loaded. */
export function Table<T>({
  columns,
  rows,
  caption,
  rowKey,
}: {
  columns: Column<T>[];
  rows: readonly T[];
  caption: string;
  rowKey: (row: T) => string;
}) {
  return (
    // A region the keyboard can reach, so a wide table can be scrolled without a mouse.
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.header} className={c.numeric ? 'num' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A server-paged list: the API filters and pages (cursor), the table loads one page at a time, so
 * lists of thousands stay smooth.
 */
export function PagedTable<T extends { id: string }>({
  path,
  query,
  columns,
  caption,
  pageSize = 50,
  empty = 'Nothing to show.',
}: {
  path: string;
  query?: Query;
  columns: Column<T>[];
  caption: string;
  pageSize?: number;
  empty?: string;
}) {
  const list = useInfiniteQuery({
    queryKey: [path, query, pageSize],
    queryFn: ({ pageParam }) =>
      api<Page<T>>(path, { query: { ...query, limit: pageSize, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (list.isPending) return <Loading what={caption.toLowerCase()} />;
  if (list.isError) return <ErrorMessage error={list.error} />;
  const rows = list.data.pages.flatMap((p) => p.items);
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <Table columns={columns} rows={rows} caption={caption} rowKey={(r) => r.id} />
      <div className="table-foot">
        <span className="muted">{rows.length.toLocaleString('en-US')} shown</span>
        {list.hasNextPage ? (
          <button
            type="button"
            onClick={() => void list.fetchNextPage()}
            disabled={list.isFetchingNextPage}
          >
            {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        ) : null}
      </div>
    </>
  );
}
