import type { ServiceDeps } from '../../context.ts';
import { countCoreRows, type CoreCounts } from './stats.repository.ts';

export function createStatsService({ db }: ServiceDeps) {
  return {
    /** The number of rows of each core entity. */
    counts: (): Promise<CoreCounts> => countCoreRows(db),
  };
}
