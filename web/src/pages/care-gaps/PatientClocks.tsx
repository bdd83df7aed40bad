import { useQuery } from '@tanstack/react-query';
import { api } from '../../api.ts';
import { Empty, ErrorMessage, Loading } from '../../components/Status.tsx';
import {
  formatDate,
  gapStatusLabels,
  labelOf,
  networkLabels,
  standardLabels,
} from '../timely-access/labels.ts';
import type { CareGap } from './types.ts';

interface RequestVerdict {
  appointmentId: string | null;
  standard: string;
  status: 'met' | 'missed' | 'pending' | 'excepted';
  deadline: string;
  network: string;
}

interface Clocks {
  careGap: CareGap | null;
  requests: RequestVerdict[];
}

interface Patient {
  id: string;
  mrn: string;
  name: string;
}

const verdictClass = { met: 'ok', missed: 'bad', pending: '', excepted: 'muted' } as const;

/** One patient's clocks (GET /patients/:id/clocks): the care gap and every request of the last year. */
export function PatientClocks({ patientId }: { patientId: string }) {
  const patient = useQuery({
    queryKey: ['/patients', patientId],
    queryFn: () => api<Patient>(`/patients/${patientId}`),
  });
  const clocks = useQuery({
    queryKey: ['/patients/clocks', patientId],
    queryFn: () => api<Clocks>(`/patients/${patientId}/clocks`),
  });
  if (clocks.isPending) return <Loading what="the patient’s clocks" />;
  if (clocks.isError) return <ErrorMessage error={clocks.error} />;
  const { careGap, requests } = clocks.data;
  const sorted = [...requests].sort((a, b) => (a.deadline < b.deadline ? 1 : -1));
  return (
    <div className="clocks">
      <h2>{patient.data ? `${patient.data.name} · ${patient.data.mrn}` : 'Patient'}: clocks</h2>
      {patient.isError ? <ErrorMessage error={patient.error} /> : null}
      {careGap ? (
        <p>
          Next deadline {formatDate(careGap.deadline)} ({labelOf(standardLabels, careGap.standard)}
          ):{' '}
          <strong className={careGap.status === 'overdue' ? 'bad' : undefined}>
            {labelOf(gapStatusLabels, careGap.status)}
          </strong>
          . Last care {formatDate(careGap.lastCareAt)}; next scheduled{' '}
          {formatDate(careGap.nextCareAt)}.
        </p>
      ) : (
        <p className="muted">Not in a course of treatment now.</p>
      )}
      {sorted.length === 0 ? (
        <Empty>No requests in the last year.</Empty>
      ) : (
        <div className="table-wrap" role="region" aria-label="Requests and verdicts" tabIndex={0}>
          <table>
            <caption>Requests of the last year and their verdicts</caption>
            <thead>
              <tr>
                <th scope="col">Standard</th>
                <th scope="col">Deadline</th>
                <th scope="col">Verdict</th>
                <th scope="col">Network</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((r, index) => (
                <tr key={`${r.appointmentId ?? 'discharge'}-${r.standard}-${index}`}>
                  <td>{labelOf(standardLabels, r.standard)}</td>
                  <td>{formatDate(r.deadline)}</td>
                  <td className={verdictClass[r.status]}>{r.status}</td>
                  <td>{labelOf(networkLabels, r.network)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
