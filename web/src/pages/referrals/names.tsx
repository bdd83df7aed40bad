import { useQuery } from '@tanstack/react-query';
import { api } from '../../api.ts';
import { useSession } from '../../session.tsx';

/*
 * Names of patients and outside providers, each read once and cached. A patient's name is shown
 * only to a role that may read patients; everyone else sees that it is withheld.
 */

interface Named {
  id: string;
  name: string;
}

export interface PatientRecord extends Named {
  contactPreferences: { channels?: string[]; bestTime?: string; doNotLeaveMessage?: boolean };
  risk: string;
  perinatal: boolean;
}

export function usePatient(id: string | null | undefined) {
  const session = useSession();
  return useQuery({
    queryKey: ['patient', id],
    queryFn: () => api<PatientRecord>(`/patients/${id ?? ''}`),
    enabled: Boolean(id) && session.can('patients:read'),
    staleTime: 5 * 60_000,
  });
}

export function PatientName({ id }: { id: string }) {
  const session = useSession();
  const patient = usePatient(id);
  if (!session.can('patients:read')) return <span className="muted">Patient (name withheld)</span>;
  if (patient.isError) return <span className="muted">Patient (cannot be read)</span>;
  return <>{patient.data?.name ?? '…'}</>;
}

export function ProviderName({ id }: { id: string }) {
  const provider = useQuery({
    queryKey: ['outside-provider', id],
    queryFn: () => api<Named & { organization: string | null }>(`/outside-providers/${id}`),
    staleTime: 5 * 60_000,
  });
  if (provider.isError) return <span className="muted">Provider (cannot be read)</span>;
  return <>{provider.data?.name ?? '…'}</>;
}
