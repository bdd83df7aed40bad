import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../../api.ts';
import { ErrorMessage, Figure, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { Progress } from '../disruptions/Progress.tsx';
import { count, formatInstant, type Disruption } from '../disruptions/types.ts';
import { PatientName } from './PatientName.tsx';
import { Placed } from './Placed.tsx';
import { PlanTable, proposalsKey } from './PlanTable.tsx';
import { Shortfall } from './Shortfall.tsx';
import type { CommitResult, MatchRun } from './types.ts';

/**
 * One re-match run: its figures over the cohort, the plan to review, "Commit" with its outcome
 * and conflicts, who was placed where, and the shortfall.
 */
export function RunReview() {
  const { runId = '' } = useParams();
  const { can } = useSession();
  const client = useQueryClient();
  const path = `/match-runs/${runId}`;
  const run = useQuery({ queryKey: [path], queryFn: () => api<MatchRun>(path) });
  const disruptionId = run.data?.disruptionId ?? null;
  const disruption = useQuery({
    queryKey: [`/disruptions/${disruptionId ?? ''}`],
    queryFn: () => api<Disruption>(`/disruptions/${disruptionId ?? ''}`),
    enabled: disruptionId !== null && can('disruptions:read'),
  });
  const commit = useMutation({
    mutationFn: () => api<CommitResult>(`${path}/commit`, { method: 'POST' }),
    onSettled: () => client.invalidateQueries({ queryKey: proposalsKey(runId) }),
  });

  if (run.isPending) return <Loading what="the re-match run" />;
  if (run.isError)
    return (
      <section>
        <p>
          <Link to="/rematch">← All runs</Link>
        </p>
        <h1>Re-match review</h1>
        <ErrorMessage error={run.error} />
      </section>
    );
  const { stats } = run.data;
  const by = (o: keyof typeof stats.byOption) => stats.byOption[o] ?? 0;
  const result = commit.data;

  return (
    <section>
      <p>
        <Link to="/rematch">← All runs</Link>
      </p>
      <h1>Re-match review</h1>
      <p className="muted">
        Run of {formatInstant(run.data.createdAt)}
        {disruptionId ? (
          <>
            {' '}
            for{' '}
            <Link to={`/disruptions/${disruptionId}`}>
              {disruption.data?.title ?? 'its disruption'}
            </Link>
          </>
        ) : null}
        {' · '}
        {stats.optimal ? 'optimal plan' : 'plan not proven optimal'}, solved in{' '}
        {count(run.data.solveMs)} ms
        {stats.alreadyPlaced
          ? ` · ${count(stats.alreadyPlaced)} already placed by earlier runs`
          : ''}
      </p>
      <div className="figures">
        <Figure
          label="Placed in equivalent groups"
          numerator={by('group')}
          denominator={stats.patients}
        />
        <Figure
          label="Placed outside"
          numerator={by('outside_provider')}
          denominator={stats.patients}
        />
        <Figure
          label="Individual appointments"
          numerator={by('individual')}
          denominator={stats.patients}
        />
        <Figure label="Unmatched" numerator={by('unmatched')} denominator={stats.patients} />
      </div>

      <h2>The plan</h2>
      <PlanTable runId={runId} />

      {can('rematch:write') ? (
        <div className="panel commit">
          <h2>Commit</h2>
          <p className="muted">
            Carries out the approved proposals in one transaction: enrollments in groups, referrals
            to outside providers, appointments. Committing again changes nothing.
          </p>
          <button
            type="button"
            disabled={commit.isPending}
            onClick={() => {
              commit.mutate();
            }}
          >
            Commit
          </button>
          {commit.isPending ? <Progress what="Committing the approved proposals" /> : null}
          {commit.isError ? <ErrorMessage error={commit.error} /> : null}
          {result ? (
            <div role="status">
              <p className="notice">
                <span className="ok">Committed.</span> Enrollments created:{' '}
                <strong>{count(result.committed.enrollments)}</strong>, referrals created:{' '}
                <strong>{count(result.committed.referrals)}</strong>, appointments created:{' '}
                <strong>{count(result.committed.appointments)}</strong>, left unmatched:{' '}
                <strong>{count(result.committed.unmatched)}</strong>.
                {result.conflicts.length
                  ? ` ${count(result.conflicts.length)} conflicts were set back to pending for re-planning.`
                  : ' No conflicts.'}
              </p>
              {result.conflicts.length ? (
                <div className="table-wrap">
                  <table>
                    <caption>Conflicts, set back to pending for re-planning</caption>
                    <thead>
                      <tr>
                        <th scope="col">Patient</th>
                        <th scope="col">Reason</th>
                      </tr>
                    </thead>
                    <tbody>
                      {result.conflicts.map((c, i) => (
                        <tr key={c.proposalId}>
                          <td>
                            <PatientName id={c.patientId} fallback={`Conflict ${i + 1}`} />
                          </td>
                          <td>{c.reason}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}

      <Placed runId={runId} />

      <h2>Shortfall</h2>
      <Shortfall lines={stats.shortfall} />
    </section>
  );
}
