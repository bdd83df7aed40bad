import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ServedType } from './fhir.domain.ts';
import type { ExportOutput, ExportStatus } from './export.domain.ts';

/*
 * Bulk export jobs, kept in the database so that any replica can answer a job's status, and so
 * that a job cancelled on one replica stops on the one writing it (it reads its row each page).
 */

export interface ExportJob {
  id: string;
  requestedBy: string;
  requestUrl: string;
  types: ServedType[];
  since: Date | null;
  groupId: string | null;
  status: ExportStatus;
  transactionTime: Date;
  output: ExportOutput[];
  progress: Record<string, number>;
  error: string | null;
  completedAt: Date | null;
}

const jsonb = (value: unknown) => sql<never>`${JSON.stringify(value)}::jsonb`;

export async function insertExportJob(
  db: Db,
  job: Pick<
    ExportJob,
    'id' | 'requestedBy' | 'requestUrl' | 'types' | 'since' | 'groupId' | 'transactionTime'
  >,
): Promise<void> {
  await db
    .insertInto('bulk_export')
    .values({
      id: job.id,
      requested_by: job.requestedBy,
      request_url: job.requestUrl,
      types: job.types,
      since: job.since,
      group_id: job.groupId,
      transaction_time: job.transactionTime,
    })
    .execute();
}

// The table's CHECK holds status to the union; types were checked as served types when written.
export async function exportJobById(db: Db, id: string): Promise<ExportJob | undefined> {
  const row = await db
    .selectFrom('bulk_export')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    requestedBy: row.requested_by,
    requestUrl: row.request_url,
    types: row.types as ServedType[],
    since: row.since,
    groupId: row.group_id,
    status: row.status as ExportStatus,
    transactionTime: row.transaction_time,
    output: row.output,
    progress: row.progress,
    error: row.error,
    completedAt: row.completed_at,
  };
}

/**
 * Records how far a running job has got. False when the job is no longer running (cancelled
 * here or on another replica): the writer then stops.
 */
export async function recordExportProgress(
  db: Db,
  id: string,
  progress: Readonly<Record<string, number>>,
): Promise<boolean> {
  const result = await db
    .updateTable('bulk_export')
    .set({ progress: jsonb(progress) })
    .where('id', '=', id)
    .where('status', '=', 'in_progress')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ends a running job as completed or failed; false when it was no longer running. */
export async function finishExportJob(
  db: Db,
  id: string,
  end:
    | { status: 'completed'; output: readonly ExportOutput[]; at: Date }
    | { status: 'failed'; error: string; at: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('bulk_export')
    .set({
      status: end.status,
      completed_at: end.at,
      ...(end.status === 'completed' ? { output: jsonb(end.output) } : { error: end.error }),
    })
    .where('id', '=', id)
    .where('status', '=', 'in_progress')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks a job cancelled (its files are then deleted); false when there is no such live job. */
export async function cancelExportJob(db: Db, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('bulk_export')
    .set({ status: 'cancelled', completed_at: at })
    .where('id', '=', id)
    .where('status', '!=', 'cancelled')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function groupExists(db: Db, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('therapy_group')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/** Ends finished jobs older than `before` (their files are then deleted); returns their ids. */
export async function expireExportJobs(db: Db, before: Date): Promise<string[]> {
  const rows = await db
    .updateTable('bulk_export')
    .set({ status: 'cancelled' })
    .where('status', 'in', ['completed', 'failed'])
    .where('completed_at', '<', before)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
