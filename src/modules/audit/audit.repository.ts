import { createHash } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database, Db, Row } from '../../db/database.ts';
import { AppError } from '../../shared/errors.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import {
  genesisHash,
  hashInput,
  type AuditEvent,
  type AuditEventInput,
  type AuditFilter,
  type AuditOutcome,
} from './audit.domain.ts';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The chain's last hash, as committed now (the genesis hash for an empty chain). */
export async function lastAuditHash(db: Db): Promise<string> {
  const last = await db
    .selectFrom('audit_event')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last?.hash ?? genesisHash;
}

const jsonOrNull = (ids: readonly string[] | null) => (ids === null ? null : JSON.stringify(ids));

/**
 * One attempt to append `events` after `expected`, the chain's last hash as the caller believes
 * it to be (`audit_append`, migrations 0012 and 0014, takes the chain's lock and checks). `appended` when
 * they are on record (with the rest of `db`'s transaction, when it is one), and `last` is then
 * the new last hash; otherwise `last` is the chain's real last hash, to hash them on again. In a
 * transaction the lock stays held, so a second attempt on the hash returned cannot miss.
 */
export async function tryAppendAuditEvents(
  db: Db,
  expected: string,
  events: readonly AuditEventInput[],
): Promise<{ appended: boolean; last: string }> {
  const prevs: string[] = [];
  const hashes: string[] = [];
  let prev = expected;
  for (const event of events) {
    prevs.push(prev);
    prev = sha256(hashInput(event, prev));
    hashes.push(prev);
  }
  const column = <T>(of: (event: AuditEventInput) => T) => events.map(of);
  // One array a column: a page of 50 patients' events is 13 parameters, not 550.
  const { rows } = await sql<{ last: string | null }>`
    select audit_append(
      ${expected}, ${genesisHash},
      ${column((e) => e.at.toISOString())}::timestamptz[], ${column((e) => e.actor)}::text[],
      ${column((e) => e.action)}::text[], ${column((e) => e.entity)}::text[],
      ${column((e) => e.entityId)}::text[], ${column((e) => e.patientId)}::uuid[],
      ${column((e) => jsonOrNull(e.entityIds))}::jsonb[],
      ${column((e) => jsonOrNull(e.patientIds))}::jsonb[],
      ${column((e) => e.ip)}::text[], ${column((e) => e.outcome)}::text[],
      ${column((e) => JSON.stringify(e.detail))}::jsonb[], ${prevs}::text[], ${hashes}::text[]
    ) as last`.execute(db);
  const actual = rows[0]?.last ?? null;
  return actual === null ? { appended: true, last: prev } : { appended: false, last: actual };
}

/**
 * Appends events to the chain inside the caller's transaction, so they commit or roll back with
 * the change they record. The chain's lock, taken by the first attempt, holds until the
 * transaction ends: no other writer chains to the same predecessor.
 */
export async function appendAuditEvents(
  trx: Db,
  events: readonly AuditEventInput[],
): Promise<void> {
  if (events.length === 0) return;
  if (!trx.isTransaction) throw new Error('appendAuditEvents must run inside a transaction.');
  const first = await tryAppendAuditEvents(trx, await lastAuditHash(trx), events);
  if (!first.appended && !(await tryAppendAuditEvents(trx, first.last, events)).appended)
    throw new Error('The audit chain moved while its lock was held.');
}

export function toAuditEvent(row: Row<'audit_event'>): AuditEvent {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    entityId: row.entity_id,
    patientId: row.patient_id,
    entityIds: row.entity_ids,
    patientIds: row.patient_ids,
    ip: row.ip,
    outcome: row.outcome as AuditOutcome,
    detail: row.detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Up to `limit` events after `afterSeq`, oldest first: the chain as verify walks it. */
export async function readAuditChain(
  db: Db,
  afterSeq: number,
  limit: number,
): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('audit_event')
    .selectAll()
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(toAuditEvent);
}

export async function countAuditEvents(db: Db): Promise<number> {
  const row = await db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

// Audit cursors are a position in the chain, not a uuid as shared/page.ts expects.
const seqCursorPattern = /^seq:([1-9][0-9]{0,15})$/;

export function encodeSeqCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

export function decodeSeqCursor(cursor: string): number {
  const match = seqCursorPattern.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw new AppError('BAD_CURSOR', 'The cursor is not one this server gave out.');
  return Number(match[1]);
}

type AuditCondition = (eb: ExpressionBuilder<Database, 'audit_event'>) => Expression<SqlBool>;

/** Events about the patient, or lists that showed them (through the GIN index on the lists). */
export function aboutPatient(patientId: string): AuditCondition {
  return (eb) =>
    eb.or([
      eb('patient_id', '=', patientId),
      eb('patient_ids', '@>', sql<string[]>`array[${patientId}]::uuid[]`),
    ]);
}

/** Events about the record, or lists that showed it. */
function aboutRecord(entityId: string): AuditCondition {
  return (eb) =>
    eb.or([
      eb('entity_id', '=', entityId),
      eb('entity_ids', '@>', sql<string[]>`array[${entityId}]::text[]`),
    ]);
}

/** Events that meet every criterion, newest first, a page at a time (the cursor is a seq). */
export async function searchAuditEvents(
  db: Db,
  filter: AuditFilter,
  page: PageRequest,
): Promise<Page<AuditEvent>> {
  let query = db
    .selectFrom('audit_event')
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('seq', '<', decodeSeqCursor(page.cursor));
  if (filter.patientId) query = query.where(aboutPatient(filter.patientId));
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.entity) query = query.where('entity', '=', filter.entity);
  if (filter.entityId) query = query.where(aboutRecord(filter.entityId));
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  const rows = await query.execute();
  const hasMore = rows.length > page.limit;
  const kept = hasMore ? rows.slice(0, page.limit) : rows;
  const last = kept.at(-1);
  return {
    items: kept.map(toAuditEvent),
    nextCursor: hasMore && last ? encodeSeqCursor(last.seq) : null,
  };
}
