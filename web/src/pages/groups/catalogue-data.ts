import { useQuery } from '@tanstack/react-query';
import { api, type Page } from '../../api.ts';
import type { Clinician, Location, Named } from './types.ts';

/** Service areas and locations: a few dozen rows, read once for names and filters. */
export function useServiceAreas() {
  return useQuery({
    queryKey: ['/service-areas', 'all'],
    queryFn: () => api<Page<Named>>('/service-areas', { query: { limit: 500 } }),
    staleTime: 10 * 60_000,
  });
}

export function useLocations() {
  return useQuery({
    queryKey: ['/locations', 'all'],
    queryFn: () => api<Page<Location>>('/locations', { query: { limit: 500 } }),
    staleTime: 10 * 60_000,
    select: (page) => new Map(page.items.map((l) => [l.id, l])),
  });
}

export function useClinician(id: string) {
  return useQuery({
    queryKey: ['clinician', id],
    queryFn: () => api<Clinician>(`/clinicians/${id}`),
    staleTime: 5 * 60_000,
  });
}
