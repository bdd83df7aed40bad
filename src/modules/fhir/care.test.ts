import { randomUUID } from 'node:crypto';
import type {
  Appointment,
  Bundle,
  Encounter,
  EpisodeOfCare,
  Group,
  OperationOutcome,
  Resource,
} from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import {
  buildClinician,
  buildGroup,
  buildLocation,
  buildPatient,
  buildServiceArea,
  create,
} from '../../test/factories.ts';
import { validateResource } from '../../test/fhir-validate.ts';
import { actingAs, bearerFor, describeEachEngine, rowCounts } from '../../test/harness.ts';
import { isAppError } from '../../shared/errors.ts';
import { careImporters } from './care.source.ts';
import { codeSystem, extensionUrl, systems, type ServedType } from './fhir.domain.ts';
import { referenceId } from './map.domain.ts';
import { sources, type Importer, type Resolver } from './sources.ts';

/*
 * The care types through the endpoint on the test clock (Monday 3 March 2025): a Tuesday group
 * with two facilitators, two active members and one waiting, a session held the week before, an
 * individual appointment, and the importers of Group and Appointment.
 */

async function getBundle(app: FastifyInstance, url: string): Promise<Bundle> {
  const response = await app.inject({ method: 'GET', url });
  expect(response.statusCode, response.body).toBe(200);
  const bundle = response.json<Bundle>();
  for (const entry of bundle.entry ?? []) expect(validateResource(entry.resource)).toEqual([]);
  return bundle;
}

async function resources<T extends Resource>(app: FastifyInstance, url: string): Promise<T[]> {
  return ((await getBundle(app, url)).entry ?? []).map((e) => e.resource as T);
}

/** Every resource of a search, following `next` links. */
async function allPages<T extends Resource>(app: FastifyInstance, url: string): Promise<T[]> {
  const found: T[] = [];
  let next: string | undefined = url;
  while (next !== undefined) {
    const bundle = await getBundle(app, next);
    found.push(...(bundle.entry ?? []).map((e) => e.resource as T));
    const link = bundle.link?.find((l) => l.relation === 'next')?.url;
    next = link === undefined ? undefined : new URL(link).pathname + new URL(link).search;
  }
  return found;
}

function importer(type: ServedType): Importer {
  const found = careImporters.find((i) => i.type === type);
  if (!found) throw new Error(`no importer for ${type}`);
  return found;
}

/** References as the import service resolves them, for entities that exist. */
const resolver: Resolver = { id: (ref) => referenceId(ref), resource: () => undefined };

async function importTwice(context: Context, resource: Resource, id: string) {
  const prepared = importer(resource.resourceType as ServedType).prepare(resource, resolver);
  expect(prepared.problems).toEqual([]);
  const first = await context.db.transaction().execute((trx) => prepared.write(trx, id, false));
  const again = importer(resource.resourceType as ServedType).prepare(resource, resolver);
  const second = await context.db.transaction().execute((trx) => again.write(trx, id, true));
  return { first, second, unused: prepared.unused };
}

async function setting(app: FastifyInstance, context: Context) {
  const area = await create(app, '/service-areas', buildServiceArea());
  const location = await create(app, '/locations', buildLocation(area.id));
  const lead = await create(app, '/clinicians', buildClinician(location.id));
  const co = await create(app, '/clinicians', buildClinician(location.id));
  const group = await create(
    app,
    '/groups',
    buildGroup(location.id, {
      capacity: 6,
      facilitators: [
        { clinicianId: lead.id, role: 'lead' },
        { clinicianId: co.id, role: 'co' },
      ],
    }),
  );
  const other = await create(
    app,
    '/groups',
    buildGroup(location.id, { specialty: 'ocd', accommodations: [], facilitators: [] }),
  );
  const patient = () => create(app, '/patients', buildPatient(area.id));
  const [p1, p2, p3] = [await patient(), await patient(), await patient()];
  const enroll = (patientId: string, status = 'active') =>
    create(app, '/enrollments', { patientId, groupId: group.id, status, startsOn: '2025-01-07' });
  const e1 = await enroll(p1.id);
  await enroll(p2.id);
  const e3 = await enroll(p3.id, 'waitlisted');
  // A session held last Tuesday (sessions are generated from today on), p1 there, p2 not.
  const held = randomUUID();
  await context.db
    .insertInto('group_session')
    .values({
      id: held,
      group_id: group.id,
      starts_at: new Date('2025-02-25T18:00:00Z'),
      ends_at: new Date('2025-02-25T19:30:00Z'),
      status: 'held',
    })
    .execute();
  await context.db
    .insertInto('attendance')
    .values([
      { session_id: held, patient_id: p1.id, status: 'present' },
      { session_id: held, patient_id: p2.id, status: 'absent' },
    ])
    .execute();
  const individual = randomUUID();
  await context.db
    .insertInto('appointment')
    .values({
      id: individual,
      patient_id: p1.id,
      clinician_id: lead.id,
      kind: 'follow_up',
      urgency: 'urgent',
      requested_at: new Date('2025-02-20T17:00:00Z'),
      first_offered_at: new Date('2025-02-21T17:00:00Z'),
      starts_at: new Date('2025-03-10T17:00:00Z'),
      status: 'booked',
    })
    .execute();
  return { area, location, lead, co, group, other, p1, p2, p3, e1, e3, held, individual };
}

const characteristic = (code: string) => ({
  coding: [{ system: codeSystem('group-characteristic'), code }],
});

describeEachEngine('FHIR care types', (use) => {
  it('finds groups by characteristic value, as valid FHIR with their characteristics', async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const found = await resources<Group>(
      app,
      `/fhir/R4/Group?characteristic-value=specialty$perinatal_mood_anxiety&characteristic-value=location$${s.location.id}`,
    );
    expect(found.map((g) => g.id)).toEqual([s.group.id]);
    const [group] = found;
    expect(group?.quantity).toBe(2);
    expect(group?.managingEntity?.reference).toBe(`Practitioner/${s.lead.id}`);
    expect(group?.characteristic).toEqual(
      expect.arrayContaining([
        {
          code: characteristic('accommodation'),
          valueCodeableConcept: {
            coding: [{ system: codeSystem('accommodation'), code: 'baby_friendly' }],
          },
          exclude: false,
        },
        {
          code: characteristic('capacity'),
          valueQuantity: { value: 6, unit: 'seats' },
          exclude: false,
        },
        {
          code: characteristic('co-facilitator'),
          valueReference: { reference: `Practitioner/${s.co.id}` },
          exclude: false,
        },
      ]),
    );
    const ocd = await resources<Group>(
      app,
      `/fhir/R4/Group?characteristic-value=specialty$ocd&characteristic-value=location$${s.location.id}`,
    );
    expect(ocd.map((g) => g.id)).toEqual([s.other.id]);
    const withFacilitator = await resources<Group>(
      app,
      `/fhir/R4/Group?characteristic=co-facilitator&characteristic-value=location$${s.location.id}`,
    );
    expect(withFacilitator.map((g) => g.id)).toEqual([s.group.id]);
    const typed = await resources<Group>(
      app,
      `/fhir/R4/Group?type=person&actual=true&characteristic-value=location$${s.location.id}`,
    );
    expect(typed.map((g) => g.id).sort()).toEqual([s.group.id, s.other.id].sort());
    expect(await resources(app, '/fhir/R4/Group?type=animal')).toEqual([]);
  });

  it('lists members to an administrator and none to a clinician, who may not search by member', async () => {
    const { app, raw, context } = use();
    const s = await setting(app, context);
    const read = await app.inject({ method: 'GET', url: `/fhir/R4/Group/${s.group.id}` });
    expect(read.statusCode).toBe(200);
    const asAdmin = read.json<Group>();
    expect(validateResource(asAdmin)).toEqual([]);
    expect(asAdmin.member?.map((m) => [m.entity.reference, m.inactive])).toEqual(
      expect.arrayContaining([
        [`Patient/${s.p1.id}`, false],
        [`Patient/${s.p2.id}`, false],
        [`Patient/${s.p3.id}`, true],
      ]),
    );
    const waiting = asAdmin.member?.find((m) => m.entity.reference === `Patient/${s.p3.id}`);
    expect(waiting?.extension).toEqual(
      expect.arrayContaining([
        { url: extensionUrl('enrollment-status'), valueCode: 'waitlisted' },
        {
          url: extensionUrl('enrollment'),
          valueReference: { reference: `EpisodeOfCare/${s.e3.id}` },
        },
      ]),
    );
    expect(waiting?.period).toEqual({ start: '2025-01-07' });
    const byMember = await resources<Group>(app, `/fhir/R4/Group?member=Patient/${s.p3.id}`);
    expect(byMember.map((g) => g.id)).toEqual([s.group.id]);

    const clinician = actingAs(raw, await bearerFor(context, 'clinician'));
    const asClinician = await clinician.inject({
      method: 'GET',
      url: `/fhir/R4/Group/${s.group.id}`,
    });
    expect(asClinician.statusCode).toBe(200);
    expect(asClinician.json<Group>().member).toBeUndefined();
    expect(asClinician.json<Group>().quantity).toBe(2);
    const refused = await clinician.inject({
      method: 'GET',
      url: `/fhir/R4/Group?member=${s.p3.id}`,
    });
    expect(refused.statusCode).toBe(403);
  });

  it("finds a patient's sessions and appointments by date and status, across pages", async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const held = await resources<Appointment>(
      app,
      `/fhir/R4/Appointment?patient=${s.p1.id}&date=ge2025-02-01&date=lt2025-03-01&status=fulfilled`,
    );
    expect(held.map((a) => a.id)).toEqual([s.held]);
    const [session] = held;
    expect(session?.participant).toEqual(
      expect.arrayContaining([
        {
          extension: [{ url: extensionUrl('attendance'), valueCode: 'present' }],
          actor: { reference: `Patient/${s.p1.id}` },
          status: 'accepted',
        },
        {
          extension: [{ url: extensionUrl('attendance'), valueCode: 'absent' }],
          actor: { reference: `Patient/${s.p2.id}` },
          status: 'declined',
        },
        {
          type: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                  code: 'PPRF',
                  display: 'primary performer',
                },
              ],
            },
          ],
          actor: { reference: `Practitioner/${s.lead.id}` },
          required: 'required',
          status: 'accepted',
        },
        { actor: { reference: `Location/${s.location.id}` }, status: 'accepted' },
      ]),
    );
    expect(session?.extension).toContainEqual({
      url: extensionUrl('group'),
      valueReference: { reference: `Group/${s.group.id}` },
    });

    // The waiting patient is on no roster; the booked appointment is p1's alone.
    expect(await resources<Appointment>(app, `/fhir/R4/Appointment?patient=${s.p3.id}`)).toEqual(
      [],
    );
    const booked = await resources<Appointment>(
      app,
      `/fhir/R4/Appointment?patient=${s.p1.id}&date=ge2025-03-01&date=lt2025-03-12&status=booked`,
    );
    expect(booked.map((a) => a.id).sort()).toEqual(
      [s.individual, ...(await sessionIds(context, s.group.id, '2025-03-01', '2025-03-12'))].sort(),
    );
    const individual = booked.find((a) => a.id === s.individual);
    expect(individual).toMatchObject({
      status: 'booked',
      created: '2025-02-20T17:00:00.000Z',
      start: '2025-03-10T17:00:00.000Z',
      priority: 1,
      appointmentType: { coding: [{ system: codeSystem('appointment-kind'), code: 'follow_up' }] },
    });

    const everything = await resources<Appointment>(
      app,
      `/fhir/R4/Appointment?patient=${s.p1.id}&_count=1000`,
    );
    expect(everything.length).toBeGreaterThan(20); // 26 weeks of sessions, and more
    const paged = await allPages<Appointment>(
      app,
      `/fhir/R4/Appointment?patient=${s.p1.id}&_count=7`,
    );
    expect(paged.map((a) => a.id)).toEqual(everything.map((a) => a.id));
    expect(everything.map((a) => a.id)).toEqual(everything.map((a) => a.id ?? '').sort());
  });

  it('finds appointments by practitioner, actor, location and group, and narrows to a group export', async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const sessions = (await sessionIds(context, s.group.id, '2025-01-01', '2026-01-01')).sort();
    const ids = async (query: string) =>
      (await resources<Appointment>(app, `/fhir/R4/Appointment?${query}&_count=1000`))
        .map((a) => a.id ?? '')
        .sort();
    expect(await ids(`practitioner=${s.co.id}`)).toEqual(sessions);
    expect(await ids(`practitioner=Practitioner/${s.lead.id}`)).toEqual(
      [...sessions, s.individual].sort(),
    );
    const others = await sessionIds(context, s.other.id, '2025-01-01', '2026-01-01');
    // Both groups meet at the location.
    expect(await ids(`actor=Location/${s.location.id}`)).toEqual([...sessions, ...others].sort());
    expect(await ids(`group=Group/${s.group.id}&date=lt2025-03-01`)).toEqual([s.held]);
    expect(await ids(`location=${s.location.id}&status=proposed`)).toEqual([]);
    expect(await ids(`patient=${s.p1.id}&appointment-type=follow_up`)).toEqual([s.individual]);
    expect(await ids(`practitioner=${s.co.id}&appointment-type=group`)).toEqual(sessions);

    // Group/{id}/$export of the other group (no members): its sessions, nobody's appointments.
    const source = sources.get('Appointment');
    if (!source) throw new Error('Appointment is served');
    const search = { params: new Map(), count: 1000, after: null };
    const scoped = await source.search(context.db, search, { patients: true, groupId: s.other.id });
    expect(scoped.map((f) => f.key).sort()).toEqual(others.sort());
    const members = await source.search(context.db, search, {
      patients: true,
      groupId: s.group.id,
    });
    expect(members.map((f) => f.key)).toContain(s.individual);
    // The other group's export once p2 joins it: p2's episodes (in both groups), nobody else's;
    // and no encounter, as p2 was never present.
    await create(app, '/enrollments', {
      patientId: s.p2.id,
      groupId: s.other.id,
      status: 'active',
      startsOn: '2025-02-01',
    });
    const scope = { patients: true, groupId: s.other.id };
    const episodes = await sources.get('EpisodeOfCare')?.search(context.db, search, scope);
    expect(episodes?.map((f) => f.patientIds)).toEqual([[s.p2.id], [s.p2.id]]);
    expect(await sources.get('Encounter')?.search(context.db, search, scope)).toEqual([]);
  });

  it('names the disruption that cancelled a session', async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const disruption = await create(app, '/disruptions', {
      kind: 'group_cancellation',
      title: 'Group room flooded',
      scope: { groupIds: [s.group.id] },
      startsOn: '2025-03-03',
      endsOn: '2025-03-09',
    });
    const applied = await app.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${disruption.id}/apply`,
    });
    expect(applied.statusCode).toBe(200);
    const cancelled = await resources<Appointment>(
      app,
      `/fhir/R4/Appointment?patient=${s.p2.id}&status=cancelled`,
    );
    expect(cancelled).toHaveLength(1);
    const [session] = cancelled;
    expect(session?.start).toBe('2025-03-04T18:00:00.000Z');
    expect(session?.cancelationReason).toEqual({
      coding: [
        {
          system: codeSystem('disruption-kind'),
          code: 'group_cancellation',
          display: 'Group room flooded',
        },
      ],
      text: 'disruption (group cancellation)',
    });
    expect(session?.extension).toContainEqual({
      url: extensionUrl('disruption'),
      valueReference: {
        identifier: { system: systems.uri, value: `urn:uuid:${disruption.id}` },
        display: 'Group room flooded',
      },
    });
    // The roster of a session without attendance: active members, not the waiting one.
    expect(
      session?.participant
        .filter((p) => p.actor?.reference?.startsWith('Patient/'))
        .map((p) => [p.actor?.reference, p.status])
        .sort(),
    ).toEqual(
      [
        [`Patient/${s.p1.id}`, 'needs-action'],
        [`Patient/${s.p2.id}`, 'needs-action'],
      ].sort(),
    );
  });

  it('gives an Encounter for a patient present at a held session, and episodes of care', async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const encounters = await resources<Encounter>(
      app,
      `/fhir/R4/Encounter?patient=${s.p1.id}&type=${encodeURIComponent(systems.cpt)}|90853&status=finished`,
    );
    expect(encounters).toHaveLength(1);
    const [encounter] = encounters;
    const id = `${s.held.replaceAll('-', '')}${s.p1.id.replaceAll('-', '')}`;
    expect(encounter).toMatchObject({
      id,
      status: 'finished',
      class: { code: 'AMB' },
      subject: { reference: `Patient/${s.p1.id}` },
      appointment: [{ reference: `Appointment/${s.held}` }],
      period: { start: '2025-02-25T18:00:00.000Z', end: '2025-02-25T19:30:00.000Z' },
      serviceProvider: { reference: `Organization/${s.area.id}` },
    });
    expect(
      encounter?.participant?.map((p) => [p.type?.[0]?.coding?.[0]?.code, p.individual?.reference]),
    ).toEqual([
      ['PPRF', `Practitioner/${s.lead.id}`],
      ['SPRF', `Practitioner/${s.co.id}`],
    ]);
    // The absent patient has none.
    expect(await resources(app, `/fhir/R4/Encounter?patient=${s.p2.id}`)).toEqual([]);
    // Another session with both present: pages of one follow the ids' order.
    const earlier = randomUUID();
    await context.db
      .insertInto('group_session')
      .values({
        id: earlier,
        group_id: s.group.id,
        starts_at: new Date('2025-02-18T18:00:00Z'),
        ends_at: new Date('2025-02-18T19:30:00Z'),
        status: 'held',
      })
      .execute();
    await context.db
      .insertInto('attendance')
      .values(
        [s.p1.id, s.p2.id].map((p) => ({ session_id: earlier, patient_id: p, status: 'present' })),
      )
      .execute();
    const query = `/fhir/R4/Encounter?appointment=${s.held},${earlier}`;
    const all = (await resources<Encounter>(app, query)).map((e) => e.id ?? '');
    expect(all).toHaveLength(3);
    expect(all).toEqual([...all].sort());
    expect((await allPages<Encounter>(app, `${query}&_count=1`)).map((e) => e.id)).toEqual(all);
    expect(
      (await resources<Encounter>(app, `/fhir/R4/Encounter?_id=${all[1] ?? ''}`)).map((e) => e.id),
    ).toEqual([all[1]]);
    const read = await app.inject({ method: 'GET', url: `/fhir/R4/Encounter/${id}` });
    expect(read.statusCode).toBe(200);
    expect(
      await resources(app, `/fhir/R4/Encounter?appointment=Appointment/${s.held}`),
    ).toHaveLength(1);

    const episodes = await resources<EpisodeOfCare>(
      app,
      `/fhir/R4/EpisodeOfCare?patient=${s.p3.id}&status=waitlist&date=2025-03-03&organization=${s.area.id}`,
    );
    expect(episodes.map((e) => [e.id, e.status, e.period])).toEqual([
      [s.e3.id, 'waitlist', { start: '2025-01-07' }],
    ]);
    expect(
      await resources(app, `/fhir/R4/EpisodeOfCare?patient=${s.p3.id}&date=lt2025-01-07`),
    ).toEqual([]);
  });

  it('imports a group with its facilitators and members: created, then unchanged', async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const source = (
      await app.inject({ method: 'GET', url: `/fhir/R4/Group/${s.group.id}` })
    ).json<Group>();
    const incoming: Group = {
      ...source,
      id: undefined,
      meta: undefined,
      name: 'Imported postpartum group',
      identifier: [{ system: 'https://ehr.example/groups', value: 'G-1' }],
    };
    const id = randomUUID();
    const { first, second, unused } = await importTwice(context, incoming, id);
    expect(unused).toEqual([]);
    expect(first.outcome).toBe('created');
    expect(second.outcome).toBe('unchanged');
    expect(first.patientIds.sort()).toEqual([s.p1.id, s.p2.id, s.p3.id].sort());
    const row = await context.db
      .selectFrom('therapy_group')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ version: 1, seats_taken: 2, capacity: 6, min_size: 5 });

    const back = (await app.inject({ method: 'GET', url: `/fhir/R4/Group/${id}` })).json<Group>();
    const withoutIds = (g: Group) => ({
      ...g,
      id: undefined,
      meta: undefined,
      identifier: undefined,
      name: undefined,
      member: g.member?.map((m) => ({
        ...m,
        extension: m.extension?.filter((e) => e.url !== extensionUrl('enrollment')),
      })),
    });
    expect(withoutIds(back)).toEqual(withoutIds(source));
  });

  it('refuses an over-full member list with GROUP_FULL and writes nothing', async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const source = (
      await app.inject({ method: 'GET', url: `/fhir/R4/Group/${s.group.id}` })
    ).json<Group>();
    const incoming: Group = {
      ...source,
      id: undefined,
      identifier: undefined,
      characteristic: source.characteristic?.map((c) =>
        c.code.coding?.[0]?.code === 'capacity' ? { ...c, valueQuantity: { value: 2 } } : c,
      ),
      extension: source.extension?.map((e) =>
        e.url === extensionUrl('min-size') ? { ...e, valueInteger: 1 } : e,
      ),
      // The waiting patient takes a seat too: three for two.
      member: source.member?.map((m) => ({ ...m, inactive: false, extension: [] })),
    };
    const prepared = importer('Group').prepare(incoming, resolver);
    expect(prepared.problems).toEqual([]);
    const id = randomUUID();
    const failure = await context.db
      .transaction()
      .execute((trx) => prepared.write(trx, id, false))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isAppError(failure) && failure.code).toBe('GROUP_FULL');
    const row = await context.db
      .selectFrom('therapy_group')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('updates a group once where it differs: fields, facilitators and a member', async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const source = (
      await app.inject({ method: 'GET', url: `/fhir/R4/Group/${s.group.id}` })
    ).json<Group>();
    const changed: Group = {
      ...source,
      name: 'Postpartum support (evenings)',
      characteristic: source.characteristic?.filter(
        (c) => c.code.coding?.[0]?.code !== 'co-facilitator',
      ),
      member: source.member?.map((m) =>
        m.entity.reference === `Patient/${s.p1.id}`
          ? {
              ...m,
              inactive: true,
              extension: [
                ...(m.extension ?? []).filter((e) => e.url !== extensionUrl('enrollment-status')),
                { url: extensionUrl('enrollment-status'), valueCode: 'paused' },
              ],
            }
          : m,
      ),
    };
    const prepared = importer('Group').prepare(changed, resolver);
    const written = await context.db
      .transaction()
      .execute((trx) => prepared.write(trx, s.group.id, true));
    expect(written.outcome).toBe('updated');
    const group = await context.db
      .selectFrom('therapy_group')
      .select(['name', 'version', 'seats_taken'])
      .where('id', '=', s.group.id)
      .executeTakeFirstOrThrow();
    expect(group).toEqual({ name: 'Postpartum support (evenings)', version: 2, seats_taken: 1 });
    const facilitators = await context.db
      .selectFrom('group_facilitator')
      .select('clinician_id')
      .where('group_id', '=', s.group.id)
      .execute();
    expect(facilitators).toEqual([{ clinician_id: s.lead.id }]);
    const enrollment = await context.db
      .selectFrom('enrollment')
      .select(['status', 'version'])
      .where('id', '=', s.e1.id)
      .executeTakeFirstOrThrow();
    expect(enrollment).toEqual({ status: 'paused', version: 2 });
    const again = importer('Group').prepare(changed, resolver);
    expect(
      (await context.db.transaction().execute((trx) => again.write(trx, s.group.id, true))).outcome,
    ).toBe('unchanged');
  });

  it('answers an over-full group in a transaction Bundle with GROUP_FULL, and writes nothing', async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const source = (
      await app.inject({ method: 'GET', url: `/fhir/R4/Group/${s.group.id}` })
    ).json<Group>();
    const full: Group = {
      ...source,
      id: undefined,
      meta: undefined,
      identifier: [{ system: 'https://ehr.example/groups', value: 'FULL' }],
      characteristic: source.characteristic?.map((c) =>
        c.code.coding?.[0]?.code === 'capacity' ? { ...c, valueQuantity: { value: 2 } } : c,
      ),
      extension: source.extension?.map((e) =>
        e.url === extensionUrl('min-size') ? { ...e, valueInteger: 1 } : e,
      ),
      member: source.member?.map((m) => ({ ...m, inactive: false, extension: [] })),
    };
    const before = await rowCounts(context);
    const response = await app.inject({
      method: 'POST',
      url: '/fhir/R4',
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: full, request: { method: 'POST', url: 'Group' } }],
      }),
    });
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json<OperationOutcome>().issue[0]?.details?.coding?.[0]?.code).toBe(
      'GROUP_FULL',
    );
    expect({ ...(await rowCounts(context)), audit_event: 0 }).toEqual({
      ...before,
      audit_event: 0,
    });
  });

  it('imports a session with its attendance, and an individual appointment: created, then unchanged', async () => {
    const { app, context } = use();
    const s = await setting(app, context);
    const session = (
      await app.inject({ method: 'GET', url: `/fhir/R4/Appointment/${s.held}` })
    ).json<Appointment>();
    const earlier: Appointment = {
      ...session,
      id: undefined,
      identifier: undefined,
      start: '2025-02-18T18:00:00.000Z',
      end: '2025-02-18T19:30:00.000Z',
    };
    const sessionId = randomUUID();
    const sessionImport = await importTwice(context, earlier, sessionId);
    expect([sessionImport.first.outcome, sessionImport.second.outcome]).toEqual([
      'created',
      'unchanged',
    ]);
    expect(sessionImport.unused).toEqual([]);
    const attendance = await context.db
      .selectFrom('attendance')
      .select(['patient_id', 'status'])
      .where('session_id', '=', sessionId)
      .orderBy('status', 'desc')
      .execute();
    expect(attendance).toEqual([
      { patient_id: s.p1.id, status: 'present' },
      { patient_id: s.p2.id, status: 'absent' },
    ]);

    const appointment = (
      await app.inject({ method: 'GET', url: `/fhir/R4/Appointment/${s.individual}` })
    ).json<Appointment>();
    const copyId = randomUUID();
    const copy = await importTwice(context, { ...appointment, id: undefined }, copyId);
    expect([copy.first.outcome, copy.second.outcome]).toEqual(['created', 'unchanged']);
    expect(copy.first.patientIds).toEqual([s.p1.id]);
    const rows = await context.db
      .selectFrom('appointment')
      .selectAll()
      .where('id', 'in', [s.individual, copyId])
      .orderBy('id')
      .execute();
    const strip = ({ id: _i, created_at: _c, ...row }: (typeof rows)[number]) => row;
    const [one, two] = rows.map(strip);
    expect(rows).toHaveLength(2);
    expect(one).toEqual(two);
  });
});

async function sessionIds(context: Context, groupId: string, from: string, to: string) {
  const rows = await context.db
    .selectFrom('group_session')
    .select('id')
    .where('group_id', '=', groupId)
    .where('starts_at', '>=', new Date(`${from}T00:00:00Z`))
    .where('starts_at', '<', new Date(`${to}T00:00:00Z`))
    .execute();
  return rows.map((r) => r.id);
}
