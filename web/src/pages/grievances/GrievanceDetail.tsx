import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api.ts';
import { ErrorMessage, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { label, when } from '../referrals/format.ts';
import { PatientName } from '../referrals/names.tsx';
import { GrievanceDeadline } from './GrievanceDeadline.tsx';
import { pendingWith, type Grievance } from './types.ts';

type Change =
  | { kind: 'acknowledge' }
  | { kind: 'resolve'; resolution: string }
  | { kind: 'withdraw' }
  | { kind: 'pending'; pendingWith: string }
  | { kind: 'disposition' };

const done: Record<Change['kind'], string> = {
  acknowledge: 'Acknowledged.',
  resolve: 'Resolved.',
  withdraw: 'Withdrawn.',
  pending: 'Saved where it is pending.',
  disposition: 'The disposition is recorded as sent.',
};

function bodyOf(change: Change): Record<string, unknown> {
  switch (change.kind) {
    case 'acknowledge':
      return { to: 'acknowledged' };
    case 'resolve':
      return { to: 'resolved', resolution: change.resolution };
    case 'withdraw':
      return { to: 'withdrawn' };
    case 'pending':
      return { pendingWith: change.pendingWith };
    case 'disposition':
      return { dispositionSentAt: new Date().toISOString() };
  }
}

function Actions({
  grievance,
  outcome,
  setOutcome,
}: {
  grievance: Grievance;
  outcome: string | null;
  setOutcome: (outcome: string | null) => void;
}) {
  const client = useQueryClient();
  const [resolution, setResolution] = useState('');
  const [pending, setPending] = useState(grievance.pendingWith);
  const update = useMutation({
    mutationFn: (change: Change) =>
      api<Grievance>(`/grievances/${grievance.id}`, {
        method: 'PATCH',
        body: { version: grievance.version, ...bodyOf(change) },
      }),
    onSuccess: async (updated, change) => {
      setOutcome(done[change.kind]);
      client.setQueryData(['grievance', grievance.id], updated);
      await client.invalidateQueries({ queryKey: ['/grievances'] });
      await client.invalidateQueries({ queryKey: ['/grievances/due'] });
    },
  });
  const open = grievance.status === 'received' || grievance.status === 'acknowledged';
  const busy = (kind: Change['kind']) => update.isPending && update.variables.kind === kind;
  const act = (change: Change) => {
    setOutcome(null);
    update.mutate(change);
  };
  return (
    <div>
      {open ? (
        <>
          <div className="actions">
            {grievance.status === 'received' ? (
              <button
                type="button"
                disabled={update.isPending}
                onClick={() => {
                  act({ kind: 'acknowledge' });
                }}
              >
                {busy('acknowledge') ? 'Acknowledging…' : 'Acknowledge'}
              </button>
            ) : null}
            {grievance.expedited && !grievance.dispositionSentAt ? (
              <button
                type="button"
                disabled={update.isPending}
                onClick={() => {
                  act({ kind: 'disposition' });
                }}
              >
                {busy('disposition') ? 'Saving…' : 'Record disposition sent'}
              </button>
            ) : null}
            <button
              type="button"
              className="secondary"
              disabled={update.isPending}
              onClick={() => {
                act({ kind: 'withdraw' });
              }}
            >
              {busy('withdraw') ? 'Withdrawing…' : 'Withdraw'}
            </button>
          </div>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              act({ kind: 'resolve', resolution });
            }}
          >
            <label>
              Resolution
              <textarea
                rows={3}
                value={resolution}
                maxLength={5000}
                onChange={(e) => {
                  setResolution(e.target.value);
                }}
              />
            </label>
            <p>
              <button type="submit" disabled={update.isPending}>
                {busy('resolve') ? 'Resolving…' : 'Resolve'}
              </button>
            </p>
          </form>
          <div className="toolbar">
            <label>
              Pending with
              <select
                value={pending}
                onChange={(e) => {
                  setPending(e.target.value);
                }}
              >
                {pendingWith.map((p) => (
                  <option key={p} value={p}>
                    {label(p)}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="secondary"
              disabled={update.isPending}
              onClick={() => {
                act({ kind: 'pending', pendingWith: pending });
              }}
            >
              {busy('pending') ? 'Saving…' : 'Save where pending'}
            </button>
          </div>
        </>
      ) : (
        <p className="muted">This grievance is {grievance.status}: nothing more to do.</p>
      )}
      <div role="status" aria-live="polite">
        {outcome ? <p className="ok">{outcome}</p> : null}
      </div>
      {update.isError ? <ErrorMessage error={update.error} /> : null}
    </div>
  );
}

export function GrievanceDetail() {
  const { id = '' } = useParams();
  const session = useSession();
  // Kept here: the actions start afresh with each version, their outcome stays said.
  const [outcome, setOutcome] = useState<string | null>(null);
  const grievance = useQuery({
    queryKey: ['grievance', id],
    queryFn: () => api<Grievance>(`/grievances/${id}`),
  });
  return (
    <section className="cp">
      <p>
        <Link to="/grievances">← All grievances</Link>
      </p>
      {grievance.isPending ? (
        <>
          <h1>Grievance</h1>
          <Loading what="the grievance" />
        </>
      ) : grievance.isError ? (
        <>
          <h1>Grievance</h1>
          <ErrorMessage error={grievance.error} />
        </>
      ) : (
        <>
          <h1>
            Grievance of <PatientName id={grievance.data.patientId} />
          </h1>
          <div className="grid-2">
            <div className="panel">
              <h2>The grievance</h2>
              <dl className="facts">
                <dt>Status</dt>
                <dd>
                  {label(grievance.data.status)}
                  {grievance.data.expedited ? (
                    <>
                      {' '}
                      <span className="tag">Expedited</span>
                    </>
                  ) : null}
                </dd>
                <dt>Next deadline</dt>
                <dd>
                  <GrievanceDeadline grievance={grievance.data} />
                </dd>
                <dt>Received</dt>
                <dd>
                  {when(grievance.data.receivedAt)} by {label(grievance.data.channel)}
                </dd>
                <dt>Type</dt>
                <dd>{label(grievance.data.type)}</dd>
                <dt>Line of business</dt>
                <dd>{label(grievance.data.lineOfBusiness)}</dd>
                <dt>Pending with</dt>
                <dd>{label(grievance.data.pendingWith)}</dd>
                <dt>Summary</dt>
                <dd>{grievance.data.summary}</dd>
                {grievance.data.resolution ? (
                  <>
                    <dt>Resolution</dt>
                    <dd>{grievance.data.resolution}</dd>
                  </>
                ) : null}
              </dl>
            </div>
            <div className="panel">
              <h2>Deadlines</h2>
              <dl className="facts">
                <dt>Acknowledge before</dt>
                <dd>{when(grievance.data.deadlines.acknowledgeBefore)}</dd>
                <dt>Acknowledged</dt>
                <dd>{when(grievance.data.acknowledgedAt)}</dd>
                {grievance.data.deadlines.dispositionBefore ? (
                  <>
                    <dt>Disposition before</dt>
                    <dd>{when(grievance.data.deadlines.dispositionBefore)}</dd>
                    <dt>Disposition sent</dt>
                    <dd>{when(grievance.data.dispositionSentAt)}</dd>
                  </>
                ) : null}
                <dt>Resolve before</dt>
                <dd>{when(grievance.data.deadlines.resolveBefore)}</dd>
                <dt>Resolved</dt>
                <dd>{when(grievance.data.resolvedAt)}</dd>
                {grievance.data.withdrawnAt ? (
                  <>
                    <dt>Withdrawn</dt>
                    <dd>{when(grievance.data.withdrawnAt)}</dd>
                  </>
                ) : null}
              </dl>
            </div>
          </div>
          <section className="panel">
            <h2>Act on it</h2>
            {session.can('grievances:write') ? (
              <Actions
                key={grievance.data.version}
                grievance={grievance.data}
                outcome={outcome}
                setOutcome={setOutcome}
              />
            ) : (
              <p className="muted">Your role cannot change grievances.</p>
            )}
          </section>
        </>
      )}
    </section>
  );
}
