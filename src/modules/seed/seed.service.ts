import type { ServiceDeps } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import {
  analyzeClockInputs,
  refreshPatientClocks,
} from '../timely-access/patient-clocks.repository.ts';
import { currentCalendar } from '../timely-access/timely-access.service.ts';
import { generateRegion } from './region.domain.ts';
import { emptyCounts, type SeedTable, type TableCounts } from './rows.domain.ts';
import { scales, type Scale } from './scale.domain.ts';
import { deleteCatalogue, hasCatalogue, insertBatches, lockSeeding } from './seed.repository.ts';

export interface SeedProgress {
  /** The table being written. */
  table: SeedTable;
  /** Rows written so far, over all tables. */
  done: number;
  /** Rows the whole seed writes, known before the first is written. */
  total: number;
  tableDone: number;
  tableTotal: number;
}

export interface SeedOptions {
  scale: Scale;
  /** The same seed gives the same region, row for row. */
  seed: number;
  /** Delete an existing catalogue first instead of refusing. */
  replace?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedResult {
  scale: Scale;
  seed: number;
  counts: TableCounts;
  elapsedMs: number;
}

export type SeedService = ReturnType<typeof createSeedService>;

/** Seeding needs data:seed (UNAUTHENTICATED or FORBIDDEN otherwise). */
export function createSeedService({ db, clock, config, access }: ServiceDeps) {
  return {
    /**
     * Generates a synthetic region (see region.domain.ts) and loads it in one transaction, with
     * one data.seed audit event: a failure leaves nothing half-written. Throws VALIDATION_FAILED
     * for an unknown scale or a seed that is not a whole number, and CONFLICT when the database
     * already holds a catalogue and `replace` is not set.
     */
    async seed(options: SeedOptions): Promise<SeedResult> {
      await access.require('data:seed');
      const started = performance.now();
      if (!scales.includes(options.scale))
        throw new AppError('VALIDATION_FAILED', 'Unknown scale.', { scales });
      if (!Number.isSafeInteger(options.seed) || options.seed < 0)
        throw new AppError('VALIDATION_FAILED', 'The seed must be a whole number ≥ 0.');
      const refuse = () =>
        new AppError(
          'CONFLICT',
          'The database already holds a catalogue; seed with replace (--replace on the command line) to overwrite it.',
        );
      // Refuse early, before spending seconds on generation; checked again under the lock below.
      if (!options.replace && (await hasCatalogue(db))) throw refuse();

      const region = generateRegion({
        scale: options.scale,
        seed: options.seed,
        now: clock.now(),
        timeZone: config.TZ_ORG,
      });
      const total = Object.values(region.counts).reduce((sum, n) => sum + n, 0);
      const counts = emptyCounts();
      let done = 0;
      await db.transaction().execute(async (trx) => {
        await lockSeeding(trx);
        const replaced = await hasCatalogue(trx);
        if (replaced) {
          if (!options.replace) throw refuse();
          await deleteCatalogue(trx);
        }
        await insertBatches(trx, region.batches(), (table, rows) => {
          counts[table] += rows;
          done += rows;
          options.onProgress?.({
            table,
            done,
            total,
            tableDone: counts[table],
            tableTotal: region.counts[table],
          });
        });
        // Loading (or replacing) every patient at once is itself an access to patient data.
        await access.record(
          [
            {
              action: 'data.seed',
              entity: 'region',
              detail: { scale: options.scale, seed: options.seed, replaced, counts },
            },
          ],
          trx,
        );
      });
      // The stored care clocks and verdicts, so that the first worklist read finds them ready
      // (the calendar first: the clocks' deadlines are counted in its business days).
      const now = clock.now();
      await currentCalendar(db, config.TZ_ORG, now);
      await analyzeClockInputs(db);
      await refreshPatientClocks(db, now, config.TZ_ORG);
      return {
        scale: options.scale,
        seed: options.seed,
        counts,
        elapsedMs: Math.round(performance.now() - started),
      };
    },

    /** Whether the database already holds a catalogue (any service area or outside provider). */
    async hasCatalogue(): Promise<boolean> {
      await access.require('data:seed');
      return hasCatalogue(db);
    },
  };
}
