import { useQuery } from '@tanstack/react-query';
import { api } from '../../api.ts';
import { ErrorMessage, Figure, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { fetchAll, last90Days } from './fetchAll.ts';
import { useAllCareGaps } from './useAllCareGaps.ts';

export interface Disruption {
  id: string;
  kind: string;
  title: string;
  status: 'draft' | 'active' | 'ended';
  startsOn: string;
  endsOn: string | null;
}

interface GrievanceRate {
  numerator: number;
  denominator: number;
  unit: string;
}
interface GrievanceRates {
  all: GrievanceRate[];
}
interface MatchRun {
  id: string;
  createdAt: string;
  stats: { patients: number; byOption: Partial<Record<string, number>> };
}
interface Rates {
  items: { met: number; missed: number; excepted: number; pending: number; denominator: number }[];
}

/** The active disruption (the latest one if several), else the latest of any status. */
export function pickDisruption(list: readonly Disruption[]): Disruption | null {
  const active = list.filter((d) => d.status === 'active');
  return active.at(-1) ?? list.at(-1) ?? null;
}

/** The patients a disruption displaced, of those in care: the grievance rates' third denominator. */
function useDisplaced(disruptionId: string | null, enabled: boolean) {
  const period = last90Days();
  return useQuery({
    queryKey: ['overview', 'displaced', disruptionId, period.to],
    queryFn: async () => {
      const region = await api<GrievanceRates>('/grievances/rates', { query: period });
      const scoped = disruptionId
        ? await api<GrievanceRates>('/grievances/rates', { query: { ...period, disruptionId } })
        : null;
      const share = (r: GrievanceRates | null) =>
        r?.all.find((x) => x.unit === 'share of affected patients')?.denominator ?? 0;
      return { displaced: share(scoped), inCare: share(region) };
    },
    enabled,
  });
}

/**
 * The figures a program manager asks first, each with its denominator and each fetched only when
 * the role may read it: displaced patients, where the re-match placed them, requests seen within
 * their deadline, patients overdue now, open grievances.
 */
export function DisruptionFigures({ disruption }: { disruption: Disruption | null }) {
  const { can } = useSession();
  const period = last90Days();
  const displaced = useDisplaced(disruption?.id ?? null, can('compliance:read'));
  const scopeToDisruption = disruption !== null && (displaced.data?.displaced ?? 0) > 0;

  const run = useQuery({
    queryKey: ['overview', 'run', disruption?.id],
    queryFn: async () =>
      (await fetchAll<MatchRun>('/match-runs', { disruptionId: disruption?.id })).items.at(-1) ??
      null,
    enabled: disruption !== null && can('rematch:read'),
  });
  const timely = useQuery({
    queryKey: ['overview', 'timely', scopeToDisruption ? disruption.id : null, period.to],
    queryFn: () =>
      api<Rates>('/compliance/timely-access', {
        query: { ...period, disruptionId: scopeToDisruption ? disruption.id : undefined },
      }),
    enabled: can('compliance:read') && !displaced.isPending,
  });
  const careGaps = useAllCareGaps();
  const overdue = careGaps.data
    ? {
        total: careGaps.data.items.length,
        overdue: careGaps.data.items.filter((g) => g.status === 'overdue').length,
        complete: careGaps.data.complete,
      }
    : null;
  const grievances = useQuery({
    queryKey: ['overview', 'grievances'],
    queryFn: async () => {
      const [all, received, acknowledged] = await Promise.all([
        fetchAll<{ id: string }>('/grievances'),
        fetchAll<{ id: string }>('/grievances', { status: 'received' }),
        fetchAll<{ id: string }>('/grievances', { status: 'acknowledged' }),
      ]);
      return {
        total: all.items.length,
        open: received.items.length + acknowledged.items.length,
        complete: all.complete,
      };
    },
    enabled: can('grievances:read'),
  });

  const byOption = run.data?.stats.byOption ?? {};
  const planned = run.data?.stats.patients ?? 0;
  const equivalent = (byOption.group ?? 0) + (byOption.individual ?? 0);
  const timelyTotals = (timely.data?.items ?? []).reduce(
    (sum, r) => ({
      met: sum.met + r.met,
      missed: sum.missed + r.missed,
      denominator: sum.denominator + r.denominator,
      pending: sum.pending + r.pending,
    }),
    { met: 0, missed: 0, denominator: 0, pending: 0 },
  );

  const errors = [displaced, run, timely, careGaps, grievances].filter((q) => q.isError);
  const loading = [displaced, run, timely, careGaps, grievances].some(
    (q) => q.isPending && q.fetchStatus !== 'idle',
  );

  return (
    <>
      {loading ? <Loading what="the figures" /> : null}
      {errors.map((q, index) => (
        <ErrorMessage key={index} error={q.error} />
      ))}
      <div className="figures" style={{ marginBottom: '1rem' }}>
        {displaced.data ? (
          <Figure
            label="Displaced patients"
            numerator={displaced.data.displaced}
            denominator={displaced.data.inCare}
            definition={
              disruption === null
                ? 'no disruption recorded'
                : disruption.status === 'draft'
                  ? 'the disruption is a draft: nobody is displaced until it is applied'
                  : `displaced by the ${disruption.status} disruption, of the patients in care in the last 90 days`
            }
          />
        ) : null}
        {can('rematch:read') && disruption ? (
          run.data ? (
            <>
              <Figure
                label="Re-matched to equivalent care"
                numerator={equivalent}
                denominator={planned}
                definition="a seat in another group or an in-network clinician, in the latest plan"
              />
              <Figure
                label="Re-matched outside"
                numerator={byOption.outside_provider ?? 0}
                denominator={planned}
                definition="an outside provider, in the latest plan"
              />
              <Figure
                label="Unmatched"
                numerator={byOption.unmatched ?? 0}
                denominator={planned}
                definition="escalated to a person, in the latest plan"
              />
            </>
          ) : run.isSuccess ? (
            <Figure label="Re-matched" numerator={0} definition="no re-match planned yet" />
          ) : null
        ) : null}
        {timely.data ? (
          <Figure
            label="Seen within their deadline"
            numerator={timelyTotals.met}
            denominator={timelyTotals.denominator}
            definition={`requests of the last 90 days${scopeToDisruption ? ' by displaced patients' : ''} whose deadline has passed; ${timelyTotals.missed.toLocaleString('en-US')} missed, ${timelyTotals.pending.toLocaleString('en-US')} pending`}
          />
        ) : null}
        {overdue ? (
          <Figure
            label="Overdue now"
            numerator={overdue.overdue}
            denominator={overdue.total}
            definition={`patients in a course of treatment whose deadline passed with no care${overdue.complete ? '' : ' (first 10,000 counted)'}`}
          />
        ) : null}
        {grievances.data ? (
          <Figure
            label="Open grievances"
            numerator={grievances.data.open}
            denominator={grievances.data.total}
            definition={`received or acknowledged, of every grievance${grievances.data.complete ? '' : ' (first 5,000 counted)'}`}
          />
        ) : null}
      </div>
    </>
  );
}
