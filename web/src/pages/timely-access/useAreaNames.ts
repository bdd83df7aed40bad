import { useQuery } from '@tanstack/react-query';
import { api, type Page } from '../../api.ts';
import { useSession } from '../../session.tsx';

export interface ServiceArea {
  id: string;
  code: string;
  name: string;
  members: number;
}

/** The service areas (when the role may read the catalogue), and their names by id. */
export function useServiceAreas(): { areas: ServiceArea[]; names: Map<string, string> } {
  const { can } = useSession();
  const query = useQuery({
    queryKey: ['/service-areas', 'all'],
    queryFn: () => api<Page<ServiceArea>>('/service-areas', { query: { limit: 500 } }),
    enabled: can('catalogue:read'),
    staleTime: 300_000,
  });
  const areas = query.data?.items ?? [];
  return { areas, names: new Map(areas.map((a) => [a.id, a.name])) };
}
