import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, type Page } from '../../api.ts';
import { ErrorMessage, Loading } from '../../components/Status.tsx';
import { Deadline } from './Deadline.tsx';
import { label } from './format.ts';
import { PatientName, ProviderName } from './names.tsx';
import type { Referral, ReferralStatus } from './types.ts';

/*
 * The board: one column per status, each list paged by the server (a few cards at a time, "Load
 * more" for the next), so a region's thousands of referrals stay smooth.
 */

const columns: { title: string; statuses: ReferralStatus[] }[] = [
  { title: 'Draft', statuses: ['draft'] },
  { title: 'Sent', statuses: ['sent'] },
  { title: 'Accepted', statuses: ['accepted'] },
  { title: 'Scheduled', statuses: ['scheduled'] },
  { title: 'Completed', statuses: ['completed'] },
  { title: 'Failed or cancelled', statuses: ['declined', 'expired', 'no_show', 'cancelled'] },
];

const pageSize = 8;

function Card({ referral }: { referral: Referral }) {
  return (
    <li className="referral-card">
      <Link to={`/referrals/${referral.id}`}>
        <PatientName id={referral.patientId} />
      </Link>
      <div className="muted">
        to <ProviderName id={referral.providerId} />
      </div>
      <div>
        <Deadline referral={referral} />
      </div>
    </li>
  );
}

function StatusList({ status, titled }: { status: ReferralStatus; titled: boolean }) {
  const list = useInfiniteQuery({
    queryKey: ['/referrals', { status }],
    queryFn: ({ pageParam }) =>
      api<Page<Referral>>('/referrals', {
        query: { status, limit: pageSize, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const heading = titled ? <h4 className="board-sub">{label(status)}</h4> : null;
  if (list.isPending)
    return (
      <>
        {heading}
        <Loading what={`${label(status).toLowerCase()} referrals`} />
      </>
    );
  if (list.isError)
    return (
      <>
        {heading}
        <ErrorMessage error={list.error} />
      </>
    );
  const rows = list.data.pages.flatMap((p) => p.items);
  return (
    <>
      {heading}
      {rows.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="board-cards">
          {rows.map((r) => (
            <Card key={r.id} referral={r} />
          ))}
        </ul>
      )}
      {list.hasNextPage ? (
        <button
          type="button"
          className="secondary"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
          aria-label={`Load more ${label(status).toLowerCase()} referrals`}
        >
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </>
  );
}

export function Board() {
  return (
    <div className="board">
      {columns.map((c) => (
        <section key={c.title} className="board-column" aria-labelledby={`col-${c.statuses[0]}`}>
          <h3 id={`col-${c.statuses[0]}`}>{c.title}</h3>
          {c.statuses.map((s) => (
            <StatusList key={s} status={s} titled={c.statuses.length > 1} />
          ))}
        </section>
      ))}
    </div>
  );
}
