import { useQuery } from '@tanstack/react-query';
import { useSession } from '../../session.tsx';
import type { CareGap } from '../care-gaps/types.ts';
import { fetchAll } from './fetchAll.ts';

/** Up to 20 pages of 500 care gaps, shared by the overdue figure and the days-without-care chart. */
export const careGapPages = 20;

/** Every patient in a course of treatment (GET /care-gaps, paged through), for roles that read patients. */
export function useAllCareGaps() {
  const { can } = useSession();
  return useQuery({
    queryKey: ['overview', 'care-gaps'],
    queryFn: () => fetchAll<CareGap>('/care-gaps', {}, careGapPages),
    enabled: can('patients:read'),
  });
}
