import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { AuditEvent } from '../audit/audit.domain.ts';
import { toAuditEvent } from '../audit/audit.repository.ts';
import { codeSystem } from './fhir.domain.ts';
import { actionVerbs, outcomeCodeOf } from './map-audit.domain.ts';
import {
  valuesOf,
  type ParsedSearch,
  type ReferenceValue,
  type TokenValue,
} from './search.domain.ts';
import {
  all,
  col,
  codeCondition,
  commonConditions,
  dateCondition,
  each,
  isUuidText,
  referenceCondition,
  stringCondition,
  type Condition,
} from './search.repository.ts';

const verb = sql`regexp_replace(audit_event.action, '^.*[.]', '')`;

/** R4's action code (C, R, U, D, E) against the verb of the event's action. */
function actionCondition({ system, code }: TokenValue): Condition {
  if (system !== undefined && system !== 'http://hl7.org/fhir/audit-event-action')
    return sql<SqlBool>`false`;
  if (code === 'E') {
    const named = Object.values(actionVerbs).flat();
    return sql<SqlBool>`${verb} not in (${sql.join(named)})`;
  }
  const verbs = (actionVerbs as Readonly<Record<string, readonly string[]>>)[code];
  return verbs ? sql<SqlBool>`${verb} in (${sql.join(verbs)})` : sql<SqlBool>`false`;
}

function outcomeCondition({ system, code }: TokenValue): Condition {
  if (system !== undefined && system !== 'http://hl7.org/fhir/audit-event-outcome')
    return sql<SqlBool>`false`;
  const outcome = Object.entries(outcomeCodeOf).find(([, c]) => c === code)?.[0];
  return outcome ? sql<SqlBool>`audit_event.outcome = ${outcome}` : sql<SqlBool>`false`;
}

/** `type`: 110110 (Patient Record) for events about a patient, `rest` for the others. */
function typeCondition({ system, code }: TokenValue): Condition {
  if (
    code === '110110' &&
    (system === undefined || system === 'http://dicom.nema.org/resources/ontology/DCM')
  )
    return sql<SqlBool>`(audit_event.patient_id is not null or audit_event.patient_ids is not null)`;
  if (
    code === 'rest' &&
    (system === undefined || system === 'http://terminology.hl7.org/CodeSystem/audit-event-type')
  )
    return sql<SqlBool>`(audit_event.patient_id is null and audit_event.patient_ids is null)`;
  return sql<SqlBool>`false`;
}

/**
 * `entity`: the record the event was about, or one a list showed, by its id (the type, if given,
 * is not checked).
 */
function entityCondition({ id }: ReferenceValue): Condition {
  return sql<SqlBool>`(audit_event.entity_id = ${id} or audit_event.entity_ids @> array[${id}]::text[])`;
}

/** `patient`: the patient the event was about, or one of those a list showed. */
function patientCondition(ref: ReferenceValue): Condition {
  const one = referenceCondition(col('audit_event.patient_id'), ['Patient'], ref);
  // `one` is false for a reference that cannot be a patient; then so are lists.
  if ((ref.type !== null && ref.type !== 'Patient') || !isUuidText(ref.id)) return one;
  return sql<SqlBool>`(${one} or audit_event.patient_ids @> array[${ref.id.toLowerCase()}::uuid])`;
}

/** One page of audit events in sequence order (count + 1 rows). */
export async function searchAudit(db: Db, search: ParsedSearch): Promise<AuditEvent[]> {
  const conditions = [
    ...commonConditions(search, {
      type: 'AuditEvent',
      id: sql`null::uuid`,
      key: col('audit_event.seq'),
      keyKind: 'bigint',
      updated: col('audit_event.at'),
    }),
    ...each(valuesOf(search, 'date', 'date'), (date) => dateCondition(col('audit_event.at'), date)),
    ...each(valuesOf(search, 'patient', 'reference'), patientCondition),
    ...each(valuesOf(search, 'action', 'token'), actionCondition),
    ...each(valuesOf(search, 'outcome', 'token'), outcomeCondition),
    ...each(valuesOf(search, 'type', 'token'), typeCondition),
    ...each(valuesOf(search, 'subtype', 'token'), (token) =>
      codeCondition(col('audit_event.action'), codeSystem('audit-action'), token),
    ),
    ...each(valuesOf(search, 'entity-type', 'token'), (token) =>
      codeCondition(col('audit_event.entity'), codeSystem('audit-entity'), token),
    ),
    ...each(valuesOf(search, 'entity', 'reference'), entityCondition),
    ...each(valuesOf(search, 'agent-name', 'string'), ({ value, exact }) =>
      stringCondition(col('audit_event.actor'), value, exact),
    ),
    ...each(valuesOf(search, 'address', 'string'), ({ value, exact }) =>
      stringCondition(col('audit_event.ip'), value, exact),
    ),
  ];
  const rows = await db
    .selectFrom('audit_event')
    .selectAll()
    .where(all(conditions))
    .orderBy('audit_event.seq')
    .limit(search.count + 1)
    .execute();
  return rows.map(toAuditEvent);
}
