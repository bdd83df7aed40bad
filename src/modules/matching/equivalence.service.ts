import type { ServiceDeps } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../shared/errors.ts';
import {
  defaultEquivalenceMatrix,
  withOverrides,
  type EquivalenceMatrix,
  type EquivalenceOverride,
} from './equivalence.domain.ts';
import { listOverrides, replaceOverrides, type StoredOverride } from './equivalence.repository.ts';

export type EquivalenceService = ReturnType<typeof createEquivalenceService>;

/**
 * The matrix re-matching uses: the shipped defaults with the organization's overrides. Stored
 * overrides were checked when saved; should one no longer check (a specialty removed from the
 * vocabulary), the defaults are used and the problem is named rather than a plan silently changed.
 */
export async function currentMatrix(db: Db): Promise<EquivalenceMatrix> {
  const result = withOverrides(defaultEquivalenceMatrix, await listOverrides(db));
  if (!result.ok)
    throw new AppError('CONFLICT', 'The stored equivalence overrides no longer check.', {
      problems: result.problems,
    });
  return result.matrix;
}

/**
 * Specialty equivalence: anyone who reads the catalogue may read the matrix and its overrides;
 * only an administrator changes them, and every change is audited with the cells it set.
 */
export function createEquivalenceService({ db, access }: ServiceDeps) {
  return {
    async get(): Promise<{ matrix: EquivalenceMatrix; overrides: StoredOverride[] }> {
      await access.require('catalogue:read', { action: 'equivalence.read', entity: 'equivalence' });
      const overrides = await listOverrides(db);
      return { matrix: await currentMatrix(db), overrides };
    },

    /**
     * Replaces the organization's overrides as a whole (an empty list restores the defaults).
     * Throws VALIDATION_FAILED naming every problem; then nothing is changed.
     */
    async replace(overrides: readonly EquivalenceOverride[]): Promise<StoredOverride[]> {
      await access.require('equivalence:write', {
        action: 'equivalence.update',
        entity: 'equivalence',
      });
      const checked = withOverrides(defaultEquivalenceMatrix, overrides);
      if (!checked.ok)
        throw new AppError('VALIDATION_FAILED', 'Some overrides are not valid.', {
          issues: checked.problems.map((problem) => ({ field: 'overrides', problem })),
        });
      return db.transaction().execute(async (trx) => {
        await replaceOverrides(trx, overrides, access.actor.label);
        await access.record(
          [
            {
              action: 'equivalence.update',
              entity: 'equivalence',
              detail: {
                cells: overrides.map((o) => `${o.need}>${o.target}=${o.score}`),
              },
            },
          ],
          trx,
        );
        return listOverrides(trx);
      });
    },
  };
}
