import { useQuery } from '@tanstack/react-query';
import { api } from '../../api.ts';
import { useSession } from '../../session.tsx';

/**
 * A patient's name, looked up only for roles that may read patients; others see the plan's rank
 * instead, so an auditor never meets a name.
 */
export function PatientName({ id, fallback }: { id: string; fallback: string }) {
  const { can } = useSession();
  const allowed = can('patients:read');
  const patient = useQuery({
    queryKey: [`/patients/${id}`],
    queryFn: () => api<{ name: string }>(`/patients/${id}`),
    enabled: allowed,
    staleTime: 5 * 60_000,
  });
  if (!allowed) return <>{fallback}</>;
  return <>{patient.data?.name ?? (patient.isError ? fallback : '…')}</>;
}
