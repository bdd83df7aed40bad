import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Row } from '../../db/database.ts';
import {
  genesisHash,
  hashInput,
  type AuditEvent,
  type AuditEventInput,
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
  await sql`select pg_advisory_xact_lock(${chainLock})`.execute(trx);
  const last = await trx
    .selectFrom('audit_event')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let prev = last?.hash ?? genesisHash;
  const rows = events.map((event) => {
    const hash = sha256(hashInput(event, prev));
    const row = {
      at: event.at,
      actor: event.actor,
      action: event.action,
      entity: event.entity,
      entity_id: event.entityId,
      patient_id: event.patientId,
      ip: event.ip,
      outcome: event.outcome,
      detail: event.detail,
      prev_hash: prev,
      hash,
    };
    prev = hash;
    return row;
  });
  await trx.insertInto('audit_event').values(rows).execute();
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
