import type { Db } from '../../db/database.ts';
import type { EquivalenceOverride } from './equivalence.domain.ts';

export interface StoredOverride extends EquivalenceOverride {
  updatedBy: string;
  updatedAt: Date;
}

/** The organization's overrides, by need then target. */
export async function listOverrides(db: Db): Promise<StoredOverride[]> {
  const rows = await db
    .selectFrom('equivalence_override')
    .selectAll()
    .orderBy('need')
    .orderBy('target')
    .execute();
  return rows.map((row) => ({
    need: row.need,
    target: row.target,
    score: row.score,
    rationale: row.rationale,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  }));
}

/** Replaces every override with `overrides` (already checked), in the caller's transaction. */
export async function replaceOverrides(
  trx: Db,
  overrides: readonly EquivalenceOverride[],
  by: string,
): Promise<void> {
  await trx.deleteFrom('equivalence_override').execute();
  if (overrides.length === 0) return;
  await trx
    .insertInto('equivalence_override')
    .values(
      overrides.map((o) => ({
        need: o.need,
        target: o.target,
        score: o.score,
        rationale: o.rationale.trim(),
        updated_by: by,
      })),
    )
    .execute();
}
