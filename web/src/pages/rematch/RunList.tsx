import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api.ts';
import { PagedTable, type Column } from '../../components/DataTable.tsx';
import { useSession } from '../../session.tsx';
import { count, formatInstant, type Disruption } from '../disruptions/types.ts';
import type { MatchRun } from './types.ts';

function DisruptionTitle({ id }: { id: string }) {
  const { can } = useSession();
  const disruption = useQuery({
    queryKey: [`/disruptions/${id}`],
    queryFn: () => api<Disruption>(`/disruptions/${id}`),
    enabled: can('disruptions:read'),
    staleTime: 60_000,
  });
  return <>{disruption.data?.title ?? 'a disruption'}</>;
}

const columns: Column<MatchRun>[] = [
  {
    header: 'Run',
    cell: (r) => <Link to={`/rematch/${r.id}`}>{formatInstant(r.createdAt)}</Link>,
  },
  {
    header: 'Disruption',
    cell: (r) => (r.disruptionId ? <DisruptionTitle id={r.disruptionId} /> : '—'),
  },
  { header: 'Patients', cell: (r) => count(r.stats.patients), numeric: true },
  { header: 'Equivalent group', cell: (r) => count(r.stats.byOption.group ?? 0), numeric: true },
  { header: 'Outside', cell: (r) => count(r.stats.byOption.outside_provider ?? 0), numeric: true },
  { header: 'Individual', cell: (r) => count(r.stats.byOption.individual ?? 0), numeric: true },
  { header: 'Unmatched', cell: (r) => count(r.stats.byOption.unmatched ?? 0), numeric: true },
  { header: 'Solved in', cell: (r) => `${count(r.solveMs)} ms`, numeric: true },
];

/** Every re-match run, newest first as the API pages them. */
export function RunList() {
  return (
    <section>
      <h1>Re-match review</h1>
      <p className="muted">
        A run plans the patients a disruption displaced. Start one from an active disruption&rsquo;s
        page (<Link to="/disruptions">Disruptions</Link>).
      </p>
      <PagedTable<MatchRun>
        path="/match-runs"
        columns={columns}
        caption="Re-match runs"
        empty="No re-match run yet."
      />
    </section>
  );
}
