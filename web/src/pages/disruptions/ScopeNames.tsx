import { useQueries } from '@tanstack/react-query';
import { api } from '../../api.ts';
import type { Scope } from './types.ts';

/* A disruption's scope by name: each id looked up in its catalogue list (the first few of each). */

const shownPerKind = 25;

const kinds = [
  { key: 'clinicianIds', label: 'Clinicians', path: '/clinicians' },
  { key: 'locationIds', label: 'Locations', path: '/locations' },
  { key: 'groupIds', label: 'Groups', path: '/groups' },
  { key: 'serviceAreaIds', label: 'Service areas', path: '/service-areas' },
] as const;

export function ScopeNames({ scope }: { scope: Scope }) {
  const wanted = kinds.flatMap((k) =>
    scope[k.key].slice(0, shownPerKind).map((id) => ({ path: `${k.path}/${id}`, id })),
  );
  const names = useQueries({
    queries: wanted.map((w) => ({
      queryKey: [w.path],
      queryFn: () => api<{ name: string }>(w.path),
      staleTime: 60_000,
    })),
  });
  const nameOf = new Map(wanted.map((w, i) => [w.id, names[i]?.data?.name]));
  return (
    <dl className="facts">
      {kinds.map((k) => {
        const ids = scope[k.key];
        return (
          <div key={k.key} style={{ display: 'contents' }}>
            <dt>{k.label}</dt>
            <dd>
              {ids.length === 0 ? (
                <span className="muted">none</span>
              ) : (
                <ul className="tags">
                  {ids.slice(0, shownPerKind).map((id) => (
                    <li key={id} className="tag">
                      {nameOf.get(id) ?? '…'}
                    </li>
                  ))}
                  {ids.length > shownPerKind ? (
                    <li className="muted">and {ids.length - shownPerKind} more</li>
                  ) : null}
                </ul>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
