import type { Db } from '../../db/database.ts';
import type { Clock } from '../../shared/clock.ts';
import { AppError } from '../../shared/errors.ts';
import { isAllowed, type Actor, type Permission } from '../auth/policy.domain.ts';
import type { AuditEventInput } from './audit.domain.ts';
import { appendAuditEvents } from './audit.repository.ts';
import type { AuditWriter } from './audit-writer.ts';

/** What a service says about one access: the rest (who, when, from where) is filled in here. */
export interface AccessRecord {
  action: string;
  entity: string;
  entityId?: string | null;
  patientId?: string | null;
  /** A list's records and, in the same order, their patients (`listed` makes them). */
  entityIds?: readonly string[];
  patientIds?: readonly string[];
  detail?: Record<string, unknown>;
}

/** The names of the keys given a value: what the audit trail may say of a search or a patch. */
export function givenKeys(object: object): string[] {
  return Object.entries(object)
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name)
    .sort();
}

/**
 * The one record of a page of rows about patients: every row's id and, in the same order, its
 * patient. None for an empty page, which showed no patient data. One event a page, not a row: a
 * page of 50 was 50 hashes and 50 rows into the trail's indexes, several times the cost of the
 * query that answered it.
 */
export function listed(
  action: string,
  entity: string,
  rows: readonly { id: string; patientId: string }[],
  detail?: Record<string, unknown>,
): AccessRecord[] {
  if (rows.length === 0) return [];
  return [
    {
      action,
      entity,
      entityIds: rows.map((row) => row.id),
      patientIds: rows.map((row) => row.patientId),
      ...(detail === undefined ? {} : { detail }),
    },
  ];
}

/**
 * The actor's access to data, as every service sees it: the policy check and the audit trail in
 * one place, so no route or command can skip either.
 */
export interface Access {
  readonly actor: Actor;
  /**
   * Throws UNAUTHENTICATED (nobody signed in) or FORBIDDEN (the role lacks the permission). When
   * `record` is given the refusal is audited as denied, in a transaction of its own that commits
   * even though the request fails.
   */
  require(permission: Permission, record?: AccessRecord): Promise<void>;
  /**
   * Refuses an access the policy table allows but a narrower rule does not (a clinician outside
   * their own groups): audits it as denied, then throws `error`.
   */
  deny(record: AccessRecord, error: AppError): Promise<never>;
  /** Audits allowed accesses: inside `trx` for a write (so they commit with it), else on their own. */
  record(records: readonly AccessRecord[], trx?: Db): Promise<void>;
}

export function createAccess(writer: AuditWriter, clock: Clock, actor: Actor): Access {
  const toEvent = (record: AccessRecord, outcome: AuditEventInput['outcome']): AuditEventInput => ({
    at: clock.now(),
    actor: actor.label,
    action: record.action,
    entity: record.entity,
    entityId: record.entityId ?? null,
    patientId: record.patientId ?? null,
    entityIds: record.entityIds ?? null,
    patientIds: record.patientIds ?? null,
    ip: actor.ip,
    outcome,
    detail: record.detail ?? {},
  });
  const append = async (events: AuditEventInput[], trx?: Db) => {
    if (trx) await appendAuditEvents(trx, events);
    else await writer.append(events);
  };
  return {
    actor,
    async require(permission, record) {
      if (isAllowed(actor.role, permission)) return;
      if (record) await append([toEvent(record, 'denied')]);
      if (actor.role === null) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
      throw new AppError('FORBIDDEN', `The ${actor.role} role may not do this.`, { permission });
    },
    async deny(record, error) {
      await append([toEvent(record, 'denied')]);
      throw error;
    },
    async record(records, trx) {
      await append(
        records.map((record) => toEvent(record, 'allowed')),
        trx,
      );
    },
  };
}
