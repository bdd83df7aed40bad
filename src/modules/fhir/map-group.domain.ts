import type {
  Extension,
  Group as FhirGroup,
  GroupCharacteristic,
  GroupMember as FhirGroupMember,
} from '@medplum/fhirtypes';
import type { EnrollmentStatus } from '../enrollments/enrollments.domain.ts';
import { enrollmentStatuses } from '../enrollments/enrollments.domain.ts';
import type {
  Facilitator,
  FacilitatorRole,
  Group,
  GroupFields,
  GroupKind,
  GroupStatus,
} from '../groups/groups.domain.ts';
import { defaultMinSize, groupKinds, groupStatuses } from '../groups/groups.domain.ts';
import {
  accommodations,
  groupModalities,
  specialties,
  type Accommodation,
  type GroupModality,
  type Specialty,
} from '../vocabulary/vocabulary.domain.ts';
import {
  codeSystem,
  concept,
  extension,
  instantText,
  reference,
  type ServedType,
} from './fhir.domain.ts';
import {
  identifiersOut,
  languageConcept,
  languageOf,
  referenceId,
  Unused,
  type ExternalId,
  type Mapped,
} from './map.domain.ts';

/*
 * Group ↔ therapy group. What a group offers is said in `characteristic[]`, each coded in the
 * group-characteristic vocabulary; its schedule and its minimum size, which FHIR has no element
 * for, are extensions. Members (the enrollments) appear only for readers who may see patients.
 */

/** The characteristic codes of a therapy group. */
export const groupCharacteristics = [
  'specialty',
  'language',
  'modality',
  'accommodation',
  'capacity',
  'location',
  'lead-facilitator',
  'co-facilitator',
] as const;
export type GroupCharacteristicCode = (typeof groupCharacteristics)[number];

export const characteristicSystem = codeSystem('group-characteristic');

const facilitatorCode = {
  lead: 'lead-facilitator',
  co: 'co-facilitator',
} as const satisfies Record<FacilitatorRole, GroupCharacteristicCode>;

/** One enrollment as a member of its group. Ids only. */
export interface GroupMember {
  enrollmentId: string;
  patientId: string;
  status: EnrollmentStatus;
  startsOn: string;
  endsOn: string | null;
  endReason: string | null;
}

/** A problem that stops an entry: where, and what is wrong (never the value). */
export interface MapProblem {
  path: string;
  problem: string;
}

export type Checked<T> = Mapped<T> & { problems: MapProblem[] };

function characteristic(
  code: GroupCharacteristicCode,
  value: Omit<GroupCharacteristic, 'code' | 'exclude'>,
): GroupCharacteristic {
  return { code: { coding: [{ system: characteristicSystem, code }] }, ...value, exclude: false };
}

function memberToFhir(member: GroupMember): FhirGroupMember {
  return {
    extension: [
      extension('enrollment-status', { valueCode: member.status }),
      extension('enrollment', { valueReference: reference('EpisodeOfCare', member.enrollmentId) }),
      ...(member.endReason === null
        ? []
        : [extension('end-reason', { valueString: member.endReason })]),
    ],
    entity: reference('Patient', member.patientId),
    period: { start: member.startsOn, ...(member.endsOn === null ? {} : { end: member.endsOn }) },
    inactive: member.status !== 'active',
  };
}

/** A therapy group as FHIR; `members` null leaves `member[]` out (the reader may not see patients). */
export function groupToFhir(
  group: Group,
  members: readonly GroupMember[] | null,
  external: readonly ExternalId[],
): FhirGroup {
  const lead = group.facilitators.find((f) => f.role === 'lead');
  const extensions: Extension[] = [
    extension('group-status', { valueCode: group.status }),
    extension('group-kind', { valueCode: group.kind }),
    extension('rrule', { valueString: group.rrule }),
    extension('session-minutes', { valueInteger: group.sessionMinutes }),
    extension('starts-on', { valueDate: group.startsOn }),
    ...(group.endsOn === null ? [] : [extension('ends-on', { valueDate: group.endsOn })]),
    extension('min-size', { valueInteger: group.minSize }),
  ];
  return {
    resourceType: 'Group',
    id: group.id,
    meta: { versionId: String(group.version), lastUpdated: instantText(group.updatedAt) },
    extension: extensions,
    identifier: identifiersOut(group.id, external),
    active: group.status === 'active',
    type: 'person',
    actual: true,
    name: group.name,
    quantity: group.enrolled,
    ...(lead ? { managingEntity: reference('Practitioner', lead.clinicianId) } : {}),
    characteristic: [
      characteristic('specialty', { valueCodeableConcept: concept('specialty', group.specialty) }),
      characteristic('language', { valueCodeableConcept: languageConcept(group.language) }),
      characteristic('modality', { valueCodeableConcept: concept('modality', group.modality) }),
      ...group.accommodations.map((a) =>
        characteristic('accommodation', { valueCodeableConcept: concept('accommodation', a) }),
      ),
      characteristic('capacity', { valueQuantity: { value: group.capacity, unit: 'seats' } }),
      characteristic('location', { valueReference: reference('Location', group.locationId) }),
      ...group.facilitators.map((f) =>
        characteristic(facilitatorCode[f.role], {
          valueReference: reference('Practitioner', f.clinicianId),
        }),
      ),
    ],
    // FHIR JSON has no empty arrays: a group without members has no `member`.
    ...(members === null || members.length === 0 ? {} : { member: members.map(memberToFhir) }),
  };
}

/** A member as an import writes it: the enrollment's id when the resource names one. */
export interface MemberImport {
  enrollmentId: string | undefined;
  patientId: string;
  status: EnrollmentStatus;
  startsOn: string;
  endsOn: string | null;
  endReason: string | null;
}

export interface GroupImport {
  fields: GroupFields;
  facilitators: Facilitator[];
  /** Null when the resource has no `member` element: enrollments are then left as they are. */
  members: MemberImport[] | null;
}

const handled = new Set([
  'resourceType',
  'id',
  'meta',
  'extension',
  'identifier',
  'active',
  'type',
  'actual',
  'name',
  'quantity', // derived: the active members
  'managingEntity', // derived: the lead facilitator
  'characteristic',
  'member',
]);

/** Whether a code from outside is one of a vocabulary's. */
export const isOneOf = <T extends string>(
  list: readonly T[],
  value: string | undefined,
): value is T => value !== undefined && (list as readonly string[]).includes(value);

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** A therapy group as Continuity would write it from FHIR, what it left unused, and its problems. */
export function groupFromFhir(
  resource: FhirGroup,
  resolve: (ref: string | undefined, types: readonly ServedType[]) => string | undefined,
): Checked<GroupImport | undefined> {
  const unused = new Unused('Group', resource, handled);
  const problems: MapProblem[] = [];
  const problem = (path: string, text: string) =>
    problems.push({ path: `Group.${path}`, problem: text });
  const ext = unused.extensions(resource.extension);
  const groupType = resource.type as string | undefined; // untrusted input
  if (groupType !== undefined && groupType !== 'person')
    problem('type', 'a therapy group is a group of persons');

  let specialty: Specialty | undefined;
  let language: string | undefined;
  let modality: GroupModality | undefined;
  let capacity: number | undefined;
  let locationId: string | undefined;
  const accommodationList: Accommodation[] = [];
  const facilitators: Facilitator[] = [];
  const seen = new Set<GroupCharacteristicCode>();
  (resource.characteristic ?? []).forEach((c, i) => {
    const path = `characteristic[${i}]`;
    // Required in R4, but an incoming resource may lack it.
    const given = c.code as GroupCharacteristic['code'] | undefined;
    const code = given?.coding?.find((x) => x.system === characteristicSystem)?.code;
    // An exclusion, or a characteristic Continuity does not know, is unused whole.
    if (c.exclude || !isOneOf(groupCharacteristics, code)) {
      unused.add(path);
      return;
    }
    unused.nested(path, c, [
      'code',
      'exclude',
      'valueCodeableConcept',
      'valueQuantity',
      'valueReference',
    ]);
    seen.add(code);
    const codeOf = (vocabulary: string) =>
      c.valueCodeableConcept?.coding?.find((x) => x.system === codeSystem(vocabulary))?.code;
    switch (code) {
      case 'specialty': {
        const value = codeOf('specialty');
        if (isOneOf(specialties, value)) specialty = value;
        else problem(path, 'not a specialty Continuity knows');
        break;
      }
      case 'language':
        language = languageOf({
          ...(c.valueCodeableConcept ? { language: c.valueCodeableConcept } : {}),
        });
        if (language === undefined) problem(path, 'give a BCP 47 language');
        break;
      case 'modality': {
        const value = codeOf('modality');
        if (isOneOf(groupModalities, value)) modality = value;
        else problem(path, 'give in_person or virtual');
        break;
      }
      case 'accommodation': {
        const value = codeOf('accommodation');
        if (isOneOf(accommodations, value)) {
          if (!accommodationList.includes(value)) accommodationList.push(value);
        } else unused.add(path);
        break;
      }
      case 'capacity': {
        const value = c.valueQuantity?.value;
        if (value !== undefined && Number.isInteger(value) && value >= 1 && value <= 12)
          capacity = value;
        else problem(path, 'give a whole number of seats from 1 to 12');
        break;
      }
      case 'location':
        locationId = resolve(c.valueReference?.reference, ['Location']);
        if (locationId === undefined) problem(path, 'names no known Location');
        break;
      case 'lead-facilitator':
      case 'co-facilitator': {
        const clinicianId = resolve(c.valueReference?.reference, [
          'Practitioner',
          'PractitionerRole',
        ]);
        if (clinicianId === undefined) problem(path, 'names no known Practitioner');
        else if (!facilitators.some((f) => f.clinicianId === clinicianId))
          facilitators.push({ clinicianId, role: code === 'lead-facilitator' ? 'lead' : 'co' });
        break;
      }
    }
  });

  const statusCode = ext.codes('group-status')[0];
  const status: GroupStatus = isOneOf(groupStatuses, statusCode)
    ? statusCode
    : resource.active === false
      ? 'paused'
      : 'active';
  const kindCode = ext.codes('group-kind')[0];
  const kind: GroupKind = isOneOf(groupKinds, kindCode) ? kindCode : 'open';
  const rrule = ext.string('rrule');
  const startsOn = ext.date('starts-on');
  const endsOn = ext.date('ends-on') ?? null;
  const sessionMinutes = ext.integer('session-minutes') ?? 90;
  const minSize = ext.integer('min-size');

  if (!resource.name) problem('name', 'a therapy group needs a name');
  for (const needed of ['specialty', 'modality', 'capacity', 'location'] as const)
    if (!seen.has(needed)) problem('characteristic', `give the ${needed} characteristic`);
  if (minSize !== undefined && (minSize < 1 || (capacity !== undefined && minSize > capacity)))
    problem('extension', 'the min-size extension must be from 1 to the capacity');
  if (rrule === undefined) problem('extension', 'give the rrule extension (the schedule)');
  if (startsOn === undefined || !datePattern.test(startsOn))
    problem('extension', 'give the starts-on extension (a date)');

  const members =
    resource.member === undefined
      ? null
      : resource.member.flatMap((m, i): MemberImport[] => {
          const path = `member[${i}]`;
          unused.nested(path, m, ['extension', 'entity', 'period', 'inactive']);
          const memberExt = unused.extensions(m.extension, path);
          const entity = m.entity as FhirGroupMember['entity'] | undefined; // may be missing
          const patientId = resolve(entity?.reference, ['Patient']);
          if (patientId === undefined) {
            problem(`${path}.entity`, 'names no known Patient');
            return [];
          }
          const start = m.period?.start?.slice(0, 10);
          const end = m.period?.end?.slice(0, 10) ?? null;
          if (start === undefined || !datePattern.test(start)) {
            problem(`${path}.period.start`, 'an enrollment needs the day it starts');
            return [];
          }
          const given = memberExt.codes('enrollment-status')[0];
          const memberStatus: EnrollmentStatus = isOneOf(enrollmentStatuses, given)
            ? given
            : end !== null
              ? 'ended'
              : m.inactive
                ? 'paused'
                : 'active';
          if ((memberStatus === 'ended') !== (end !== null)) {
            problem(`${path}.period.end`, 'an ended enrollment, and only one, has an end');
            return [];
          }
          const enrollmentRef = memberExt.references('enrollment')[0];
          return [
            {
              enrollmentId: enrollmentRef?.startsWith('EpisodeOfCare/')
                ? uuidOf(referenceId(enrollmentRef))
                : undefined,
              patientId,
              status: memberStatus,
              startsOn: start,
              endsOn: end,
              endReason: memberExt.string('end-reason') ?? null,
            },
          ];
        });

  if (
    problems.length > 0 ||
    !resource.name ||
    specialty === undefined ||
    modality === undefined ||
    capacity === undefined ||
    locationId === undefined ||
    rrule === undefined ||
    startsOn === undefined
  )
    return { value: undefined, unused: unused.list(), problems };

  return {
    value: {
      fields: {
        name: resource.name,
        specialty,
        modality,
        language: language ?? 'en', // absent, the database's default
        accommodations: accommodationList,
        locationId,
        capacity,
        minSize: minSize ?? defaultMinSize(capacity),
        kind,
        status,
        rrule,
        sessionMinutes,
        startsOn,
        endsOn,
      },
      facilitators,
      members,
    },
    unused: unused.list(),
    problems,
  };
}

/** The id when it is a Continuity id (a uuid), lower-cased. */
export function uuidOf(id: string | undefined): string | undefined {
  return id !== undefined &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
    ? id.toLowerCase()
    : undefined;
}
