import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { api } from '../../api.ts';
import { Table } from '../../components/DataTable.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { label, when } from './format.ts';
import { usePatient } from './names.tsx';
import {
  outreachChannels,
  outreachOutcomes,
} from '../../../../src/modules/referrals/referrals.domain.ts';

interface Attempt {
  id: string;
  referralId: string | null;
  channel: string;
  at: string;
  outcome: string;
  note: string | null;
  recordedBy: string;
}

interface OutreachLog {
  attempts: Attempt[];
  failedInARow: number;
  needsPerson: boolean;
}

/**
 * The patient's outreach log and the form to record an attempt. The form offers only the
 * channels the patient accepts (in person always), as the API enforces; its refusal is shown as said.
 */
export function Outreach({ patientId, referralId }: { patientId: string; referralId: string }) {
  const session = useSession();
  const client = useQueryClient();
  const patient = usePatient(patientId);
  const log = useQuery({
    queryKey: ['outreach', patientId],
    queryFn: () => api<OutreachLog>(`/patients/${patientId}/outreach`),
  });
  const preferences = patient.data?.contactPreferences;
  const channels = outreachChannels.filter(
    (c) =>
      c === 'in_person' || preferences?.channels === undefined || preferences.channels.includes(c),
  );
  const outcomes = outreachOutcomes.filter(
    (o) => !(o === 'left_message' && preferences?.doNotLeaveMessage === true),
  );
  const [channel, setChannel] = useState('');
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const record = useMutation({
    mutationFn: () =>
      api<{ failedInARow: number; needsPerson: boolean }>(`/patients/${patientId}/outreach`, {
        method: 'POST',
        body: {
          channel: channel || channels[0],
          outcome: outcome || outcomes[0],
          referralId,
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      }),
    onSuccess: async (answer) => {
      setDone(
        `Attempt recorded.${answer.needsPerson ? ` ${answer.failedInARow} failed attempts in a row: a person should follow up.` : ''}`,
      );
      setNote('');
      await client.invalidateQueries({ queryKey: ['outreach', patientId] });
    },
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setDone(null);
    record.mutate();
  };
  return (
    <section className="panel">
      <h2>Outreach log</h2>
      {preferences ? (
        <p>
          Contact preferences:{' '}
          {preferences.channels === undefined
            ? 'any channel'
            : preferences.channels.length === 0
              ? 'do not contact (in person only)'
              : preferences.channels.map(label).join(', ')}
          {preferences.bestTime ? ` · best time: ${preferences.bestTime}` : ''}
          {preferences.doNotLeaveMessage ? ' · do not leave a message' : ''}
        </p>
      ) : null}
      {log.isPending ? (
        <Loading what="the outreach log" />
      ) : log.isError ? (
        <ErrorMessage error={log.error} />
      ) : (
        <>
          {log.data.needsPerson ? (
            <p className="notice">
              {log.data.failedInARow} failed attempts in a row: a person should follow up.
            </p>
          ) : null}
          {log.data.attempts.length === 0 ? (
            <Empty>No contact attempt yet.</Empty>
          ) : (
            <Table
              caption="Contact attempts, newest first"
              rows={log.data.attempts}
              rowKey={(a) => a.id}
              columns={[
                { header: 'When', cell: (a) => when(a.at) },
                { header: 'Channel', cell: (a) => label(a.channel) },
                { header: 'Outcome', cell: (a) => label(a.outcome) },
                { header: 'Note', cell: (a) => a.note ?? '' },
                { header: 'By', cell: (a) => a.recordedBy },
              ]}
            />
          )}
        </>
      )}
      {session.can('patients:write') ? (
        <form onSubmit={submit} aria-labelledby="record-attempt">
          <h3 id="record-attempt">Record an attempt</h3>
          <div className="toolbar">
            <label>
              Channel
              <select
                value={channel || channels[0]}
                onChange={(e) => {
                  setChannel(e.target.value);
                }}
              >
                {channels.map((c) => (
                  <option key={c} value={c}>
                    {label(c)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Outcome
              <select
                value={outcome || outcomes[0]}
                onChange={(e) => {
                  setOutcome(e.target.value);
                }}
              >
                {outcomes.map((o) => (
                  <option key={o} value={o}>
                    {label(o)}
                  </option>
                ))}
              </select>
            </label>
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
            <button type="submit" disabled={record.isPending}>
              {record.isPending ? 'Recording…' : 'Record attempt'}
            </button>
          </div>
          <div role="status" aria-live="polite">
            {done ? <p className="ok">{done}</p> : null}
          </div>
          {record.isError ? <ErrorMessage error={record.error} /> : null}
        </form>
      ) : null}
    </section>
  );
}
