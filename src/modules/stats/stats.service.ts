import type { ServiceDeps } from '../../context.ts';
import { countCoreRows, type CoreCounts } from './stats.repository.ts';

export function createStatsService({ db, access }: ServiceDeps) {
  return {
    /**
     * The number of rows of each core entity: an aggregate, so aggregates:read. Throws
     * UNAUTHENTICATED or FORBIDDEN.
     */
    async counts(): Promise<CoreCounts> {
      await access.require('aggregates:read');
      return countCoreRows(db);
    },
  };
}
