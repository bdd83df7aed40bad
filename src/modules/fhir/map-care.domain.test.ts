import type { Appointment, Group as FhirGroup } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import type { Group } from '../groups/groups.domain.ts';
import { validateResource } from '../../test/fhir-validate.ts';
import { codeSystem, extensionUrl, type ServedType } from './fhir.domain.ts';
import {
  appointmentToFhir,
  sessionToFhir,
  type AppointmentView,
  type SessionView,
} from './map-appointment.domain.ts';
import { appointmentFromFhir } from './map-appointment-import.domain.ts';
import { encounterToFhir } from './map-encounter.domain.ts';
import { episodeToFhir, type Episode } from './map-episode.domain.ts';
import { groupFromFhir, groupToFhir, type GroupMember } from './map-group.domain.ts';
import { referenceId } from './map.domain.ts';

/** Every reference names something that exists (the import service's resolver, in short). */
const resolve = (ref: string | undefined, _types: readonly ServedType[]) => referenceId(ref);

const ids = {
  group: '0190f0a0-0000-7000-8000-000000000001',
  location: '0190f0a0-0000-7000-8000-000000000002',
  lead: '0190f0a0-0000-7000-8000-000000000003',
  co: '0190f0a0-0000-7000-8000-000000000004',
  p1: '0190f0a0-0000-7000-8000-000000000005',
  p2: '0190f0a0-0000-7000-8000-000000000006',
  e1: '0190f0a0-0000-7000-8000-000000000007',
  e2: '0190f0a0-0000-7000-8000-000000000008',
  session: '0190f0a0-0000-7000-8000-000000000009',
  disruption: '0190f0a0-0000-7000-8000-00000000000a',
  appointment: '0190f0a0-0000-7000-8000-00000000000b',
  provider: '0190f0a0-0000-7000-8000-00000000000c',
  area: '0190f0a0-0000-7000-8000-00000000000d',
};

const group: Group = {
  id: ids.group,
  name: 'Postpartum support',
  specialty: 'perinatal_mood_anxiety',
  modality: 'in_person',
  language: 'es',
  accommodations: ['baby_friendly', 'interpreter'],
  locationId: ids.location,
  capacity: 8,
  minSize: 5,
  kind: 'open',
  status: 'active',
  rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
  sessionMinutes: 90,
  startsOn: '2025-01-07',
  endsOn: null,
  facilitators: [
    { clinicianId: ids.lead, role: 'lead' },
    { clinicianId: ids.co, role: 'co' },
  ],
  enrolled: 1,
  openSeats: 7,
  version: 3,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-02-01T00:00:00Z'),
};

const members: GroupMember[] = [
  {
    enrollmentId: ids.e1,
    patientId: ids.p1,
    status: 'active',
    startsOn: '2025-01-07',
    endsOn: null,
    endReason: null,
  },
  {
    enrollmentId: ids.e2,
    patientId: ids.p2,
    status: 'ended',
    startsOn: '2025-01-07',
    endsOn: '2025-02-11',
    endReason: 'moved away',
  },
];

describe('Group mapping', () => {
  const cases: { name: string; group: Group; members: GroupMember[] | null }[] = [
    { name: 'an open group with members', group, members },
    {
      name: 'a closed, ended group without accommodations or facilitators',
      group: {
        ...group,
        kind: 'closed',
        status: 'ended',
        endsOn: '2025-06-30',
        accommodations: [],
        facilitators: [],
        modality: 'virtual',
      },
      members: [],
    },
    {
      name: 'paused, waiting and paused members',
      group: { ...group, status: 'paused', specialty: 'ocd', minSize: 3, capacity: 4 },
      members: [
        { ...members[0], status: 'waitlisted' } as GroupMember,
        { ...members[0], patientId: ids.p2, enrollmentId: ids.e2, status: 'paused' } as GroupMember,
      ],
    },
  ];

  it.each(cases)('$name: valid R4, and back to the same values', ({ group: g, members: m }) => {
    const resource = groupToFhir(g, m, [{ system: 'https://ehr.example/g', value: 'G1' }]);
    expect(validateResource(resource)).toEqual([]);
    const back = groupFromFhir(resource, resolve);
    expect(back.problems).toEqual([]);
    expect(back.unused).toEqual([]);
    expect(back.value?.fields).toEqual({
      name: g.name,
      specialty: g.specialty,
      modality: g.modality,
      language: g.language,
      accommodations: g.accommodations,
      locationId: g.locationId,
      capacity: g.capacity,
      minSize: g.minSize,
      kind: g.kind,
      status: g.status,
      rrule: g.rrule,
      sessionMinutes: g.sessionMinutes,
      startsOn: g.startsOn,
      endsOn: g.endsOn,
    });
    expect(back.value?.facilitators).toEqual(g.facilitators);
    // No members and members not shown look the same: FHIR JSON has no empty arrays.
    expect(back.value?.members).toEqual(m?.length ? m : null);
  });

  it('leaves member[] out when the reader may not see patients, and an import then keeps enrollments', () => {
    const resource = groupToFhir(group, null, []);
    expect(resource.member).toBeUndefined();
    expect(resource.quantity).toBe(1);
    expect(groupFromFhir(resource, resolve).value?.members).toBeNull();
  });

  it('gives a group without a minimum size the clinical one, capped at its capacity', () => {
    const resource = groupToFhir({ ...group, capacity: 3, minSize: 3 }, null, []);
    resource.extension = resource.extension?.filter((e) => e.url !== extensionUrl('min-size'));
    expect(groupFromFhir(resource, resolve).value?.fields.minSize).toBe(3);
    const larger = groupToFhir(group, null, []);
    larger.extension = larger.extension?.filter((e) => e.url !== extensionUrl('min-size'));
    expect(groupFromFhir(larger, resolve).value?.fields.minSize).toBe(5);
  });

  it('reports what it does not use, by path', () => {
    const resource: FhirGroup = {
      ...groupToFhir(group, members, []),
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
      code: { text: 'therapy' },
    };
    resource.characteristic = [
      ...(resource.characteristic ?? []),
      {
        code: { coding: [{ system: 'http://loinc.org', code: '1234-5' }] },
        valueBoolean: true,
        exclude: false,
      },
    ];
    resource.extension = [
      ...(resource.extension ?? []),
      { url: 'https://ehr.example/x', valueString: 'y' },
    ];
    const first = resource.member?.[0];
    if (first) first.extension = [...(first.extension ?? []), { url: 'https://ehr.example/m' }];
    const { unused, problems } = groupFromFhir(resource, resolve);
    expect(problems).toEqual([]);
    expect(unused).toEqual([
      'Group.characteristic[9]',
      'Group.code',
      "Group.extension('https://ehr.example/x')",
      "Group.member[0].extension('https://ehr.example/m')",
      'Group.text',
    ]);
  });

  it.each([
    ['no name', (g: FhirGroup) => ({ ...g, name: undefined }), 'Group.name'],
    [
      'no specialty',
      (g: FhirGroup) => ({
        ...g,
        characteristic: g.characteristic?.filter((c) => c.code.coding?.[0]?.code !== 'specialty'),
      }),
      'Group.characteristic',
    ],
    [
      'an unknown specialty',
      (g: FhirGroup) => ({
        ...g,
        characteristic: g.characteristic?.map((c) =>
          c.code.coding?.[0]?.code === 'specialty'
            ? {
                ...c,
                valueCodeableConcept: { coding: [{ system: codeSystem('specialty'), code: 'x' }] },
              }
            : c,
        ),
      }),
      'Group.characteristic[0]',
    ],
    [
      'thirteen seats',
      (g: FhirGroup) => ({
        ...g,
        characteristic: g.characteristic?.map((c) =>
          c.code.coding?.[0]?.code === 'capacity' ? { ...c, valueQuantity: { value: 13 } } : c,
        ),
      }),
      'Group.characteristic[5]',
    ],
    [
      'no schedule',
      (g: FhirGroup) => ({
        ...g,
        extension: g.extension?.filter((e) => e.url !== extensionUrl('rrule')),
      }),
      'Group.extension',
    ],
    [
      'a member without an entity',
      (g: FhirGroup) => ({ ...g, member: [{ period: { start: '2025-01-07' } } as never] }),
      'Group.member[0].entity',
    ],
    [
      'a characteristic without a code',
      (g: FhirGroup) => ({ ...g, characteristic: [{ valueBoolean: true } as never] }),
      'Group.characteristic',
    ],
    [
      'a member without a start',
      (g: FhirGroup) => ({ ...g, member: [{ entity: { reference: `Patient/${ids.p1}` } }] }),
      'Group.member[0].period.start',
    ],
  ])('refuses %s, naming where', (_name, change, path) => {
    const { value, problems } = groupFromFhir(change(groupToFhir(group, members, [])), resolve);
    expect(value).toBeUndefined();
    expect(problems.map((p) => p.path)).toContain(path);
  });

  it('refuses references it cannot resolve', () => {
    const { problems } = groupFromFhir(groupToFhir(group, members, []), () => undefined);
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['Group.characteristic[6]', 'Group.member[0].entity']),
    );
  });
});

const session: SessionView = {
  id: ids.session,
  groupId: ids.group,
  locationId: ids.location,
  startsAt: new Date('2025-02-25T18:00:00Z'),
  endsAt: new Date('2025-02-25T19:30:00Z'),
  status: 'held',
  cancelReason: null,
  disruption: null,
  facilitators: [
    { clinicianId: ids.lead, role: 'lead' },
    { clinicianId: ids.co, role: 'co' },
  ],
  attendance: [
    { patientId: ids.p1, status: 'present' },
    { patientId: ids.p2, status: 'excused' },
  ],
  roster: [],
};

describe('Appointment mapping: sessions', () => {
  const cases: { name: string; session: SessionView }[] = [
    { name: 'held, with attendance', session },
    {
      name: 'cancelled by a disruption, with its roster',
      session: {
        ...session,
        status: 'cancelled',
        cancelReason: 'disruption (strike)',
        disruption: { id: ids.disruption, kind: 'strike', title: 'Therapists strike' },
        attendance: [],
        roster: [ids.p1, ids.p2],
      },
    },
    {
      name: 'cancelled by hand',
      session: { ...session, status: 'cancelled', cancelReason: 'snow', attendance: [] },
    },
    { name: 'scheduled, nobody yet', session: { ...session, status: 'scheduled', attendance: [] } },
  ];

  it.each(cases)('$name: valid R4, and back to the same values', ({ session: s }) => {
    const resource = sessionToFhir(s, []);
    expect(validateResource(resource)).toEqual([]);
    expect(resource.minutesDuration).toBe(90);
    const back = appointmentFromFhir(resource, resolve);
    expect(back.problems).toEqual([]);
    expect(back.unused).toEqual([]);
    expect(back.value).toEqual({
      kind: 'session',
      groupId: s.groupId,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      status: s.status,
      cancelReason: s.cancelReason,
      disruptionId: s.disruption?.id ?? null,
      // Only recorded attendance comes back: a roster is never turned into attendance.
      attendance: s.attendance,
    });
  });

  it('names the disruption in the cancellation reason', () => {
    const resource = sessionToFhir(cases[1]?.session ?? session, []);
    expect(resource.status).toBe('cancelled');
    expect(resource.cancelationReason).toEqual({
      coding: [
        { system: codeSystem('disruption-kind'), code: 'strike', display: 'Therapists strike' },
      ],
      text: 'disruption (strike)',
    });
    expect(resource.participant.map((p) => p.status)).toEqual([
      'needs-action',
      'needs-action',
      'accepted',
      'accepted',
      'accepted',
    ]);
  });

  it('refuses a session of an unknown group, or with a status sessions do not have', () => {
    const resource: Appointment = { ...sessionToFhir(session, []), status: 'noshow' };
    const { value, problems } = appointmentFromFhir(resource, (ref) =>
      ref?.startsWith('Group/') ? undefined : referenceId(ref),
    );
    expect(value).toBeUndefined();
    expect(problems.map((p) => p.path)).toEqual(['Appointment.extension', 'Appointment.status']);
  });
});

const appointment: AppointmentView = {
  id: ids.appointment,
  patientId: ids.p1,
  clinicianId: ids.lead,
  providerId: null,
  sessionId: null,
  kind: 'follow_up',
  urgency: 'non_urgent',
  priorAuthorization: false,
  requestedAt: new Date('2025-02-20T17:00:00Z'),
  firstOfferedAt: new Date('2025-02-21T17:00:00Z'),
  startsAt: new Date('2025-03-10T17:00:00Z'),
  status: 'booked',
  cancelledBy: null,
  intervalOverrideNote: null,
};

describe('Appointment mapping: individual appointments', () => {
  const cases: { name: string; appointment: AppointmentView }[] = [
    { name: 'booked with a clinician', appointment },
    {
      name: 'requested from an outside provider, urgent, not yet offered',
      appointment: {
        ...appointment,
        clinicianId: null,
        providerId: ids.provider,
        urgency: 'urgent',
        priorAuthorization: true,
        firstOfferedAt: null,
        startsAt: null,
        status: 'requested',
        kind: 'initial',
      },
    },
    { name: 'attended', appointment: { ...appointment, status: 'attended' } },
    {
      name: 'no-show after a discharge, with an interval note',
      appointment: {
        ...appointment,
        status: 'no_show',
        kind: 'discharge_follow_up',
        intervalOverrideNote: 'Clinically appropriate longer interval.',
      },
    },
    {
      name: 'cancelled by the patient, for a session',
      appointment: {
        ...appointment,
        status: 'cancelled',
        cancelledBy: 'patient',
        kind: 'group',
        sessionId: ids.session,
      },
    },
  ];

  it.each(cases)('$name: valid R4, and back to the same values', ({ appointment: a }) => {
    const resource = appointmentToFhir(a, []);
    expect(validateResource(resource)).toEqual([]);
    const back = appointmentFromFhir(resource, resolve);
    expect(back.problems).toEqual([]);
    expect(back.unused).toEqual([]);
    const { kind, ...rest } = a;
    // toEqual treats the id left undefined as absent: an import takes the id it is given.
    expect(back.value).toEqual({
      kind: 'appointment',
      appointmentKind: kind,
      ...rest,
      id: undefined,
    });
  });

  it('reports participants and elements it does not use', () => {
    const resource: Appointment = {
      ...appointmentToFhir(appointment, []),
      comment: 'bring the baby',
      serviceType: [{ text: 'psychotherapy' }],
      participant: [
        ...appointmentToFhir(appointment, []).participant,
        { actor: { reference: 'RelatedPerson/1' }, status: 'accepted' },
      ],
    };
    expect(appointmentFromFhir(resource, resolve).unused).toEqual([
      'Appointment.comment',
      'Appointment.participant[2]',
      'Appointment.serviceType',
    ]);
  });

  it('refuses a cancelled appointment that does not say who cancelled it', () => {
    const resource = appointmentToFhir(
      { ...appointment, status: 'cancelled', cancelledBy: 'provider' },
      [],
    );
    resource.extension = resource.extension?.filter((e) => e.url !== extensionUrl('cancelled-by'));
    const { value, problems } = appointmentFromFhir(resource, resolve);
    expect(value).toBeUndefined();
    expect(problems.map((p) => p.path)).toEqual(['Appointment.extension']);
  });
});

describe('Encounter and EpisodeOfCare mapping', () => {
  it('an Encounter for a patient present at a session is valid R4', () => {
    const id = `${ids.session.replaceAll('-', '')}${ids.p1.replaceAll('-', '')}`;
    const encounter = encounterToFhir({
      id,
      sessionId: ids.session,
      patientId: ids.p1,
      startsAt: session.startsAt,
      endsAt: session.endsAt,
      serviceAreaId: ids.area,
      facilitators: [{ clinicianId: ids.lead, role: 'lead' }],
    });
    expect(id).toHaveLength(64);
    const alone = encounterToFhir({
      id,
      sessionId: ids.session,
      patientId: ids.p1,
      startsAt: session.startsAt,
      endsAt: session.endsAt,
      serviceAreaId: ids.area,
      facilitators: [],
    });
    expect(validateResource(alone)).toEqual([]);
    expect(validateResource(encounter)).toEqual([]);
    expect(encounter.type?.[0]?.coding?.[0]?.code).toBe('90853');
  });

  const episode: Episode = {
    id: ids.e2,
    patientId: ids.p2,
    groupId: ids.group,
    serviceAreaId: ids.area,
    status: 'ended',
    startsOn: '2025-01-07',
    endsOn: '2025-02-11',
    endReason: 'moved away',
    version: 2,
    updatedAt: new Date('2025-02-11T20:00:00Z'),
  };

  it.each([
    ['active', 'active'],
    ['waitlisted', 'waitlist'],
    ['paused', 'onhold'],
    ['ended', 'finished'],
  ] as const)('an enrollment %s is an EpisodeOfCare %s, valid R4', (status, expected) => {
    const resource = episodeToFhir(
      { ...episode, status, ...(status === 'ended' ? {} : { endsOn: null, endReason: null }) },
      [],
    );
    expect(validateResource(resource)).toEqual([]);
    expect(resource.status).toBe(expected);
    expect(resource.period?.end).toBe(status === 'ended' ? '2025-02-11' : undefined);
  });
});
