import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type Page } from '../../api.ts';
import { ErrorMessage, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { ImpactView } from './Impact.tsx';
import { Progress } from './Progress.tsx';
import { ReportPanel } from './ReportPanel.tsx';
import { ScopeNames } from './ScopeNames.tsx';
import { count, formatInstant, words, type Disruption, type Simulation } from './types.ts';

interface Run {
  id: string;
  createdAt: string;
  stats: { patients: number; byOption: Record<string, number> };
}

/**
 * One disruption: its scope and dates; "Simulate" shows the impact without writing; "Apply"
 * (confirmed) cancels the sessions; once active, "Re-match" plans the displaced and opens the
 * review; "End" closes it. Beneath, its continuity report as of any day, in every format.
 */
export function DisruptionDetail() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const navigate = useNavigate();
  const client = useQueryClient();
  const path = `/disruptions/${id}`;
  const disruption = useQuery({ queryKey: [path], queryFn: () => api<Disruption>(path) });
  const runs = useQuery({
    queryKey: ['/match-runs', id],
    queryFn: () => api<Page<Run>>('/match-runs', { query: { disruptionId: id, limit: 20 } }),
    enabled: can('rematch:read'),
  });
  const [confirming, setConfirming] = useState<'apply' | 'end' | null>(null);
  const [endOn, setEndOn] = useState('');

  const refresh = async () => {
    await client.invalidateQueries({ queryKey: [path] });
    await client.invalidateQueries({ queryKey: ['/disruptions'] });
  };
  const simulate = useMutation({
    mutationFn: () => api<Simulation>(`${path}/simulate`, { method: 'POST' }),
  });
  const apply = useMutation({
    mutationFn: () =>
      api<{ disruption: Disruption; sessionsCancelled: number }>(`${path}/apply`, {
        method: 'POST',
      }),
    onSuccess: async () => {
      setConfirming(null);
      await refresh();
    },
  });
  const rematch = useMutation({
    mutationFn: () => api<Run>(`${path}/rematch`, { method: 'POST' }),
    onSuccess: async (run) => {
      await client.invalidateQueries({ queryKey: ['/match-runs'] });
      void navigate(`/rematch/${run.id}`);
    },
  });
  const end = useMutation({
    mutationFn: () =>
      api<{ disruption: Disruption; sessionsResumed: number }>(`${path}/end`, {
        method: 'POST',
        body: endOn ? { on: endOn } : {},
      }),
    onSuccess: async () => {
      setConfirming(null);
      await refresh();
    },
  });

  if (disruption.isPending) return <Loading what="the disruption" />;
  if (disruption.isError)
    return (
      <section>
        <p>
          <Link to="/disruptions">← All disruptions</Link>
        </p>
        <h1>Disruption</h1>
        <ErrorMessage error={disruption.error} />
      </section>
    );
  const d = disruption.data;
  const writer = can('disruptions:write');
  const busy = simulate.isPending || apply.isPending || rematch.isPending || end.isPending;

  return (
    <section>
      <p>
        <Link to="/disruptions">← All disruptions</Link>
      </p>
      <h1>{d.title}</h1>
      <div className="panel">
        <dl className="facts">
          <dt>Kind</dt>
          <dd>{words(d.kind)}</dd>
          <dt>Status</dt>
          <dd>
            <span className={`status-${d.status}`}>{d.status}</span>
            {d.appliedAt ? ` · applied ${formatInstant(d.appliedAt)}` : ''}
            {d.endedAt ? ` · ended ${formatInstant(d.endedAt)}` : ''}
          </dd>
          <dt>Starts on</dt>
          <dd>{d.startsOn}</dd>
          <dt>Ends on</dt>
          <dd>{d.endsOn ?? 'open-ended'}</dd>
        </dl>
        <h2>Scope</h2>
        <ScopeNames scope={d.scope} />
      </div>

      {writer ? (
        <div className="actions">
          {d.status !== 'ended' ? (
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                simulate.mutate();
              }}
            >
              Simulate
            </button>
          ) : null}
          {d.status === 'draft' && confirming !== 'apply' ? (
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => {
                setConfirming('apply');
              }}
            >
              Apply
            </button>
          ) : null}
          {d.status === 'active' && can('rematch:write') ? (
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                rematch.mutate();
              }}
            >
              Re-match
            </button>
          ) : null}
          {d.status === 'active' && confirming !== 'end' ? (
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => {
                setConfirming('end');
              }}
            >
              End
            </button>
          ) : null}
        </div>
      ) : null}

      {confirming === 'apply' ? (
        <div className="notice confirm" role="alertdialog" aria-labelledby="apply-q">
          <p id="apply-q">
            <strong>Apply this disruption?</strong> Every session in its scope from {d.startsOn}{' '}
            {d.endsOn ? `to ${d.endsOn}` : 'on'} is cancelled, in one transaction
            {simulate.data ? ` (${count(simulate.data.impact.sessions.toCancel)} sessions)` : ''}.
          </p>
          <div className="toolbar">
            <button
              type="button"
              className="danger"
              disabled={apply.isPending}
              onClick={() => {
                apply.mutate();
              }}
            >
              Apply
            </button>
            <button
              type="button"
              className="secondary"
              disabled={apply.isPending}
              onClick={() => {
                setConfirming(null);
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {confirming === 'end' ? (
        <div className="notice confirm" role="alertdialog" aria-labelledby="end-q">
          <p id="end-q">
            <strong>End this disruption?</strong> The sessions after its last day resume.
          </p>
          <label htmlFor="end-on">Last day (empty for today)</label>
          <input
            id="end-on"
            type="date"
            value={endOn}
            onChange={(e) => {
              setEndOn(e.target.value);
            }}
          />
          <div className="toolbar">
            <button
              type="button"
              disabled={end.isPending}
              onClick={() => {
                end.mutate();
              }}
            >
              End
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setConfirming(null);
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : null}

      {simulate.isPending ? <Progress what="Simulating the impact" /> : null}
      {apply.isPending ? <Progress what="Cancelling the sessions in scope" /> : null}
      {rematch.isPending ? (
        <Progress what="Planning the displaced patients (this can take several seconds)" />
      ) : null}
      {end.isPending ? <Progress what="Ending the disruption" /> : null}
      {simulate.isError ? <ErrorMessage error={simulate.error} /> : null}
      {apply.isError ? <ErrorMessage error={apply.error} /> : null}
      {rematch.isError ? <ErrorMessage error={rematch.error} /> : null}
      {end.isError ? <ErrorMessage error={end.error} /> : null}
      {apply.data ? (
        <p className="notice" role="status">
          <span className="ok">Applied.</span> Sessions cancelled:{' '}
          <strong>{count(apply.data.sessionsCancelled)}</strong>.
          {can('rematch:write') ? ' Next: Re-match the displaced patients.' : ''}
        </p>
      ) : null}
      {end.data ? (
        <p className="notice" role="status">
          <span className="ok">Ended.</span> Sessions resumed:{' '}
          <strong>{count(end.data.sessionsResumed)}</strong>.
        </p>
      ) : null}

      {runs.data && runs.data.items.length > 0 ? (
        <>
          <h2>Re-match runs</h2>
          <ul>
            {runs.data.items.map((r) => (
              <li key={r.id}>
                <Link to={`/rematch/${r.id}`}>Run of {formatInstant(r.createdAt)}</Link>{' '}
                <span className="muted">({count(r.stats.patients)} patients)</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <ReportPanel disruptionId={d.id} />

      {simulate.data ? <ImpactView impact={simulate.data.impact} /> : null}
    </section>
  );
}
