import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { lockInSchema } from '../../db/advisory-lock.ts';
import type { Db, Row } from '../../db/database.ts';
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

/** A constant key for the advisory lock that serializes appends to the chain. */
const chainLock = 7_402_113;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Appends events to the chain. Must run inside a transaction: the advisory lock taken here holds
 * until it ends, so two writers never chain to the same predecessor, and the events commit or
 * roll back with the change they record.
 */
export async function appendAuditEvents(
  trx: Db,
  events: readonly AuditEventInput[],
): Promise<void> {
  if (events.length === 0) return;
  if (!trx.isTransaction) throw new Error('appendAuditEvents must run inside a transaction.');
  await lockInSchema(trx, chainLock);
  const last = await trx
    .selectFrom('audit_event')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const prevs: string[] = [];
  const hashes: string[] = [];
  let prev = last?.hash ?? genesisHash;
  for (const event of events) {
    prevs.push(prev);
    prev = sha256(hashInput(event, prev));
    hashes.push(prev);
  }
  const column = <T>(of: (event: AuditEventInput) => T) => events.map(of);
  // One array a column, not a parameter a value: a page of 50 patients' events is 11 parameters
  // for the database to bind instead of 550, and a batch of any size is one statement. The rows
  // are inserted in the arrays' order, so seq follows the chain.
  await sql`
    insert into audit_event
      (at, actor, action, entity, entity_id, patient_id, ip, outcome, detail, prev_hash, hash)
    select at, actor, action, entity, entity_id, patient_id, ip, outcome, detail, prev_hash, hash
      from unnest(
        ${column((e) => e.at.toISOString())}::timestamptz[], ${column((e) => e.actor)}::text[],
        ${column((e) => e.action)}::text[], ${column((e) => e.entity)}::text[],
        ${column((e) => e.entityId)}::text[], ${column((e) => e.patientId)}::uuid[],
        ${column((e) => e.ip)}::text[], ${column((e) => e.outcome)}::text[],
        ${column((e) => JSON.stringify(e.detail))}::jsonb[], ${prevs}::text[], ${hashes}::text[]
      ) with ordinality as u(at, actor, action, entity, entity_id, patient_id, ip, outcome,
                              detail, prev_hash, hash, n)
     order by n`.execute(trx);
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
  if (filter.patientId) query = query.where('patient_id', '=', filter.patientId);
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.entity) query = query.where('entity', '=', filter.entity);
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
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
