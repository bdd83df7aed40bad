import { useInfiniteQuery } from '@tanstack/react-query';
import { api, type Page } from '../../api.ts';
import { ErrorMessage } from '../../components/Status.tsx';
import { count, words } from '../disruptions/types.ts';
import { PatientName } from './PatientName.tsx';
import { proposalsKey } from './PlanTable.tsx';
import { optionLabels, type Proposal } from './types.ts';

/* Who the commits placed, and where: the run's committed proposals with their targets. */

const entityLabels = {
  enrollment: 'Enrolled',
  referral: 'Referred',
  appointment: 'Appointment booked',
} as const;

export function Placed({ runId }: { runId: string }) {
  const list = useInfiniteQuery({
    queryKey: [...proposalsKey(runId), 'committed-list'],
    queryFn: ({ pageParam }) =>
      api<Page<Proposal>>(`/match-runs/${runId}/proposals`, {
        query: { decision: 'committed', limit: 100, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (list.isError) return <ErrorMessage error={list.error} />;
  const rows = (list.data?.pages.flatMap((p) => p.items) ?? []).filter(
    (p) => p.option !== 'unmatched',
  );
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="placed-h">
      <h2 id="placed-h">Placed</h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="placed-h">
        <table>
          <caption>Patients placed by this run ({count(rows.length)} shown)</caption>
          <thead>
            <tr>
              <th scope="col">Patient</th>
              <th scope="col">Risk tier</th>
              <th scope="col">Placed in</th>
              <th scope="col">Kind</th>
              <th scope="col">Done</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.id}>
                <td>
                  <PatientName id={p.patientId} fallback={`Rank ${p.rank + 1}`} />
                </td>
                <td>{words(p.tier)}</td>
                <td>{p.explanation.chosen?.targetName ?? '—'}</td>
                <td>{optionLabels[p.option]}</td>
                <td>{p.committedEntity ? entityLabels[p.committedEntity] : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.hasNextPage ? (
        <div className="table-foot">
          <span />
          <button
            type="button"
            disabled={list.isFetchingNextPage}
            onClick={() => void list.fetchNextPage()}
          >
            {list.isFetchingNextPage ? 'Loading…' : 'Load more placed'}
          </button>
        </div>
      ) : null}
    </section>
  );
}
