import type { AuditEvent as FhirAuditEvent, AuditEventEntity } from '@medplum/fhirtypes';
import { canonicalJson, type AuditEvent, type AuditOutcome } from '../audit/audit.domain.ts';
import {
  codeSystem,
  coding,
  extension,
  findExtension,
  instantText,
  reference,
  type ServedType,
} from './fhir.domain.ts';

/*
 * An audit event as an R4 AuditEvent, with its sequence number as id. It names who did what to
 * which record, and which patient's data it touched, by reference only: never a name. Everything
 * the event's hash covers is carried (the action as subtype, the entity as the entity's type, the
 * detail as an entity detail, the hashes as extensions), so the chain can be verified from FHIR:
 * `auditEventFromFhir` reads it back.
 */

type Action = NonNullable<FhirAuditEvent['action']>;

const dicom = 'http://dicom.nema.org/resources/ontology/DCM';
const auditEventType = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const entityType = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const objectRole = 'http://terminology.hl7.org/CodeSystem/object-role';

/**
 * R4's action codes by the verb of Continuity's action (`patient.read` → read). R4 counts a
 * query or search as Execute, so a list or search is E, as is any other operation (plan, verify,
 * export); only a read of one record is R.
 */
export const actionVerbs: Readonly<Record<Exclude<Action, 'E'>, readonly string[]>> = {
  C: ['create', 'import', 'seed', 'enroll'],
  R: ['read'],
  U: [
    'update',
    'transition',
    'decide',
    'apply',
    'end',
    'close',
    'reopen',
    'commit',
    'revoke',
    'cancel',
  ],
  D: ['delete', 'remove'],
};

/** The verb of an action: its last dotted part. */
export const verbOf = (action: string): string => action.slice(action.lastIndexOf('.') + 1);

export function actionCodeOf(action: string): Action {
  const verb = verbOf(action);
  for (const code of ['C', 'R', 'U', 'D'] as const) {
    if (actionVerbs[code].includes(verb)) return code;
  }
  return 'E';
}

export const outcomeCodeOf: Readonly<Record<AuditOutcome, NonNullable<FhirAuditEvent['outcome']>>> =
  {
    allowed: '0',
    // R4's 4 is "minor failure: the action was not successful due to some kind of minor failure
    // (often equivalent to an HTTP 400 response)": a refusal for want of permission.
    denied: '4',
  };

/** The FHIR type of a Continuity entity name, where one is served. */
const servedTypeOf: Readonly<Record<string, ServedType>> = {
  patient: 'Patient',
  enrollment: 'EpisodeOfCare',
  referral: 'ServiceRequest',
  outside_provider: 'HealthcareService',
  clinician: 'Practitioner',
  appointment: 'Appointment',
  group_session: 'Appointment',
  therapy_group: 'Group',
  location: 'Location',
  service_area: 'Organization',
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function referenceTypeOf(entity: string): ServedType | undefined {
  const served = servedTypeOf[entity];
  if (served) return served;
  return Object.values(servedTypeOf).includes(entity as ServedType)
    ? (entity as ServedType)
    : undefined;
}

/** A record: a reference when it is a served resource with a uuid id, else its name and id. */
function recordReference(entity: string, id: string | null): AuditEventEntity['what'] {
  const type = referenceTypeOf(entity);
  const display = id === null ? entity : `${entity}/${id}`;
  return type && id !== null && uuidPattern.test(id) ? reference(type, id, display) : { display };
}

/** What the event was about (for a list, the kind of record listed), with the event's detail. */
function subjectEntity(event: AuditEvent): AuditEventEntity {
  const detail = canonicalJson(event.detail);
  return {
    what: recordReference(event.entity, event.entityId),
    type: coding('audit-entity', event.entity),
    ...(detail === '{}' ? {} : { detail: [{ type: 'detail', valueString: detail }] }),
  };
}

const patientRole = { system: objectRole, code: '1', display: 'Patient' };
// A list's records, each followed by its patient's entity.
const listedRole = { system: objectRole, code: '4', display: 'Domain Resource' };

function patientEntity(patientId: string): AuditEventEntity {
  return {
    what: reference('Patient', patientId),
    type: { system: entityType, code: '1', display: 'Person' },
    role: patientRole,
  };
}

/** The entities after the subject: a list's records and their patients in pairs, or the patient. */
function namedEntities(event: AuditEvent): AuditEventEntity[] {
  if (event.entityIds !== null) {
    return event.entityIds.flatMap((id, i) => {
      const patientId = event.patientIds?.[i];
      return [
        { what: recordReference(event.entity, id), role: listedRole },
        ...(patientId === undefined ? [] : [patientEntity(patientId)]),
      ];
    });
  }
  return event.patientId === null ? [] : [patientEntity(event.patientId)];
}

export function auditEventToFhir(event: AuditEvent): FhirAuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: String(event.seq),
    meta: { lastUpdated: instantText(event.at) },
    extension: [
      extension('audit-prev-hash', { valueString: event.prevHash }),
      extension('audit-hash', { valueString: event.hash }),
    ],
    type:
      event.patientId === null && event.patientIds === null
        ? { system: auditEventType, code: 'rest', display: 'RESTful Operation' }
        : { system: dicom, code: '110110', display: 'Patient Record' },
    subtype: [coding('audit-action', event.action)],
    action: actionCodeOf(event.action),
    recorded: instantText(event.at),
    outcome: outcomeCodeOf[event.outcome],
    agent: [
      {
        who: { display: event.actor },
        requestor: true,
        // 2: an IP address.
        ...(event.ip ? { network: { address: event.ip, type: '2' } } : {}),
      },
    ],
    source: { observer: { display: 'Continuity' } },
    entity: [subjectEntity(event), ...namedEntities(event)],
  };
}

/**
 * The audit event an AuditEvent carries, with its hashes: what verifying the chain needs.
 * Undefined when it is not one Continuity wrote.
 */
export function auditEventFromFhir(resource: FhirAuditEvent): AuditEvent | undefined {
  const prevHash = findExtension(resource.extension, 'audit-prev-hash')?.valueString;
  const hash = findExtension(resource.extension, 'audit-hash')?.valueString;
  const action = resource.subtype?.find((c) => c.system === codeSystem('audit-action'))?.code;
  const [subject, ...others] = resource.entity ?? [];
  const entity =
    subject?.type?.system === codeSystem('audit-entity') ? subject.type.code : undefined;
  const display = subject?.what?.display;
  const agent = resource.agent[0];
  if (!prevHash || !hash || !action || !entity || !display || !resource.recorded || !agent?.who)
    return undefined;
  const idOf = (what: AuditEventEntity['what']) =>
    what?.reference?.startsWith('Patient/') ? what.reference.slice('Patient/'.length) : null;
  const patients = others.filter((e) => e.role?.code === patientRole.code).map((e) => idOf(e.what));
  const listed = others
    .filter((e) => e.role?.code === listedRole.code)
    .map((e) => e.what?.display?.slice(entity.length + 1) ?? '');
  const isList = listed.length > 0;
  const detail = subject.detail?.find((d) => d.type === 'detail')?.valueString;
  return {
    seq: Number(resource.id),
    at: new Date(resource.recorded),
    actor: agent.who.display ?? '',
    action,
    entity,
    entityId: display === entity ? null : display.slice(entity.length + 1),
    patientId: isList ? null : (patients[0] ?? null),
    entityIds: isList ? listed : null,
    patientIds: isList ? patients.filter((id) => id !== null) : null,
    ip: agent.network?.address ?? null,
    outcome: resource.outcome === '0' ? 'allowed' : 'denied',
    detail: detail === undefined ? {} : (JSON.parse(detail) as Record<string, unknown>),
    prevHash,
    hash,
  };
}
