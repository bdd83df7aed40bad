import { useInfiniteQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, type Page } from '../../api.ts';
import { ErrorMessage } from '../../components/Status.tsx';

/*
 * A searchable picker over one paged catalogue list (/clinicians, /locations, /groups,
 * /service-areas): it loads pages of the list from the server as asked, filters what is loaded by
 * the words typed, and shows the chosen items as tags that can be removed.
 */

export interface Picked {
  id: string;
  name: string;
}

interface CatalogueItem {
  id: string;
  name: string;
  code?: string;
}

const shownAtOnce = 8;

export function CataloguePicker({
  label,
  path,
  chosen,
  onChange,
}: {
  label: string;
  path: string;
  chosen: readonly Picked[];
  onChange: (next: Picked[]) => void;
}) {
  const id = useId();
  const [words, setWords] = useState('');
  const list = useInfiniteQuery({
    queryKey: ['picker', path],
    queryFn: ({ pageParam }) =>
      api<Page<CatalogueItem>>(path, { query: { limit: 500, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 60_000,
  });
  const chosenIds = new Set(chosen.map((c) => c.id));
  const needle = words.trim().toLowerCase();
  const loaded = list.data?.pages.flatMap((p) => p.items) ?? [];
  const matches = needle
    ? loaded.filter(
        (item) =>
          !chosenIds.has(item.id) &&
          `${item.name} ${item.code ?? ''}`.toLowerCase().includes(needle),
      )
    : [];

  return (
    <fieldset className="picker">
      <legend>{label}</legend>
      <div>
        <label htmlFor={`${id}-find`}>Find {label.toLowerCase()}</label>
        <input
          id={`${id}-find`}
          type="search"
          value={words}
          autoComplete="off"
          placeholder="Type part of a name"
          onChange={(e) => {
            setWords(e.target.value);
          }}
        />
      </div>
      {list.isError ? <ErrorMessage error={list.error} /> : null}
      {needle ? (
        <div aria-live="polite">
          {list.isPending ? (
            <p className="muted">Loading…</p>
          ) : matches.length === 0 ? (
            <p className="muted">No match among {loaded.length.toLocaleString('en-US')} loaded.</p>
          ) : (
            <ul className="picker-results">
              {matches.slice(0, shownAtOnce).map((item) => (
                <li key={item.id}>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => {
                      onChange([...chosen, { id: item.id, name: item.name }]);
                    }}
                  >
                    Add {item.name}
                  </button>
                </li>
              ))}
              {matches.length > shownAtOnce ? (
                <li className="muted">
                  {matches.length - shownAtOnce} more: type more of the name.
                </li>
              ) : null}
            </ul>
          )}
          {list.hasNextPage ? (
            <button
              type="button"
              className="link"
              disabled={list.isFetchingNextPage}
              onClick={() => void list.fetchNextPage()}
            >
              {list.isFetchingNextPage ? 'Loading…' : `Search more ${label.toLowerCase()}`}
            </button>
          ) : null}
        </div>
      ) : null}
      {chosen.length > 0 ? (
        <ul className="tags" aria-label={`Chosen ${label.toLowerCase()}`}>
          {chosen.map((c) => (
            <li key={c.id} className="tag">
              {c.name}{' '}
              <button
                type="button"
                className="link"
                aria-label={`Remove ${c.name}`}
                onClick={() => {
                  onChange(chosen.filter((other) => other.id !== c.id));
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None chosen.</p>
      )}
    </fieldset>
  );
}
