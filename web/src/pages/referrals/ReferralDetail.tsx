import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api.ts';
import { ErrorMessage, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { Deadline } from './Deadline.tsx';
import { label, when } from './format.ts';
import { PatientName, ProviderName } from './names.tsx';
import { Outreach } from './Outreach.tsx';
import {
  declineReasons,
  transitions,
  type ReferralStatus,
} from '../../../../src/modules/referrals/referrals.domain.ts';
import type { Referral } from './types.ts';

const verbs: Record<ReferralStatus, string> = {
  draft: 'Back to draft',
  sent: 'Send',
  accepted: 'Mark accepted',
  declined: 'Mark declined',
  scheduled: 'Mark scheduled',
  completed: 'Mark completed',
  no_show: 'Mark no-show',
  expired: 'Mark expired',
  cancelled: 'Cancel referral',
};

interface TransitionAnswer {
  referral: Referral;
  replan: { id: string } | null;
}

function Transitions({ referral }: { referral: Referral }) {
  const client = useQueryClient();
  const [reason, setReason] = useState<string>(declineReasons[0]);
  const [appointment, setAppointment] = useState('');
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const [replanned, setReplanned] = useState(false);
  const move = useMutation({
    mutationFn: (to: ReferralStatus) =>
      api<TransitionAnswer>(`/referrals/${referral.id}/transitions`, {
        method: 'POST',
        body: {
          version: referral.version,
          to,
          ...(to === 'declined' ? { declineReason: reason } : {}),
          ...(to === 'scheduled' && appointment
            ? { firstAppointmentAt: new Date(appointment).toISOString() }
            : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      }),
    onSuccess: async (answer) => {
      setOutcome(`The referral is now ${label(answer.referral.status).toLowerCase()}.`);
      setReplanned(answer.replan !== null);
      setNote('');
      client.setQueryData(['referral', referral.id], answer.referral);
      await client.invalidateQueries({ queryKey: ['/referrals'] });
    },
  });
  const allowed: readonly ReferralStatus[] = transitions[referral.status];
  const said = (
    <div role="status" aria-live="polite">
      {outcome ? <p className="ok">{outcome}</p> : null}
      {replanned ? (
        <p>
          A new plan was made for the patient, that provider excluded: review it in{' '}
          <Link to="/rematch">Re-match review</Link>.
        </p>
      ) : null}
    </div>
  );
  if (allowed.length === 0)
    return (
      <div>
        {said}
        <p className="muted">
          This referral is {label(referral.status).toLowerCase()}: it goes no further.
        </p>
      </div>
    );
  return (
    <div>
      <div className="toolbar">
        {allowed.includes('declined') ? (
          <label>
            Decline reason
            <select
              value={reason}
              onChange={(e) => {
                setReason(e.target.value);
              }}
            >
              {declineReasons.map((r) => (
                <option key={r} value={r}>
                  {label(r)}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {allowed.includes('scheduled') ? (
          <label>
            First appointment
            <input
              type="datetime-local"
              value={appointment}
              onChange={(e) => {
                setAppointment(e.target.value);
              }}
            />
          </label>
        ) : null}
        <label>
          Note (optional)
          <input
            value={note}
            maxLength={500}
            onChange={(e) => {
              setNote(e.target.value);
            }}
          />
        </label>
      </div>
      <div className="actions">
        {allowed.map((to) => (
          <button
            key={to}
            type="button"
            className={to === 'cancelled' || to === 'declined' ? 'secondary' : undefined}
            disabled={move.isPending}
            onClick={() => {
              setOutcome(null);
              setReplanned(false);
              move.mutate(to);
            }}
          >
            {move.isPending && move.variables === to ? 'Saving…' : verbs[to]}
          </button>
        ))}
      </div>
      {said}
      {move.isError ? <ErrorMessage error={move.error} /> : null}
    </div>
  );
}

export function ReferralDetail() {
  const { id = '' } = useParams();
  const session = useSession();
  const referral = useQuery({
    queryKey: ['referral', id],
    queryFn: () => api<Referral>(`/referrals/${id}`),
  });
  return (
    <section className="cp">
      <p>
        <Link to="/referrals">← All referrals</Link>
      </p>
      {referral.isPending ? (
        <>
          <h1>Referral</h1>
          <Loading what="the referral" />
        </>
      ) : referral.isError ? (
        <>
          <h1>Referral</h1>
          <ErrorMessage error={referral.error} />
        </>
      ) : (
        <>
          <h1>
            Referral for <PatientName id={referral.data.patientId} />
          </h1>
          <div className="grid-2">
            <div className="panel">
              <h2>Where it stands</h2>
              <dl className="facts">
                <dt>Status</dt>
                <dd>{label(referral.data.status)}</dd>
                <dt>Provider</dt>
                <dd>
                  <ProviderName id={referral.data.providerId} />
                </dd>
                <dt>Deadline</dt>
                <dd>
                  <Deadline referral={referral.data} />
                </dd>
                <dt>Seen by</dt>
                <dd>{when(referral.data.dueAt)}</dd>
                <dt>Sent</dt>
                <dd>{when(referral.data.sentAt)}</dd>
                <dt>Answer due</dt>
                <dd>{when(referral.data.responseDueAt)}</dd>
                <dt>Accepted</dt>
                <dd>{when(referral.data.acceptedAt)}</dd>
                <dt>First appointment</dt>
                <dd>{when(referral.data.firstAppointmentAt)}</dd>
                {referral.data.declineReason ? (
                  <>
                    <dt>Decline reason</dt>
                    <dd>{label(referral.data.declineReason)}</dd>
                  </>
                ) : null}
                <dt>Reason</dt>
                <dd>{referral.data.reason ?? '—'}</dd>
              </dl>
              <h2>Move it along</h2>
              {session.can('patients:write') ? (
                <Transitions referral={referral.data} />
              ) : (
                <p className="muted">Your role cannot change referrals.</p>
              )}
            </div>
            <div className="panel">
              <h2>History</h2>
              {referral.data.history.length === 0 ? (
                <p className="muted">No change yet: created {when(referral.data.createdAt)}.</p>
              ) : (
                <ol className="history">
                  {referral.data.history.map((h) => (
                    <li key={`${h.at}-${h.to}`}>
                      {when(h.at)}: {label(h.from)} → {label(h.to)}
                      {h.reason ? ` (${label(h.reason)})` : ''}
                      {h.note ? ` · “${h.note}”` : ''} <span className="muted">by {h.by}</span>
                    </li>
                  ))}
                </ol>
              )}
            </div>
          </div>
          <Outreach patientId={referral.data.patientId} referralId={referral.data.id} />
        </>
      )}
    </section>
  );
}
