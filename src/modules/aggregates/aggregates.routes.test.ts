import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import type { NewRow } from '../../db/database.ts';
import { unique } from '../../test/factories.ts';
import { actingAs, bearerFor, describeEachEngine, testNow } from '../../test/harness.ts';
import type { Role } from '../auth/policy.domain.ts';

const daysBeforeNow = (days: number) => new Date(new Date(testNow).getTime() - days * 86_400_000);

/** Everything the scenario put in the database that could identify someone or something. */
interface Scenario {
  areaCode: string;
  identifiers: string[];
}

async function insertGroup(
  context: Context,
  locationId: string,
  overrides: Partial<NewRow<'therapy_group'>>,
): Promise<string> {
  const id = randomUUID();
  await context.db
    .insertInto('therapy_group')
    .values({
      id,
      name: `Aggregate group ${unique()}`,
      specialty: 'ptsd',
      modality: 'in_person',
      location_id: locationId,
      capacity: 8,
      rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
      starts_on: '2025-01-07',
      ...overrides,
    })
    .execute();
  return id;
}

/**
 * One service area. ptsd: 12 patients active (one of them in both active groups), all high risk,
 * 11 discharged within the last 30 days and 1 before that; 2 waitlisted and 1 ended, all three
 * high risk, perinatal and recently discharged (so counted in no measure of the actively
 * enrolled); and a paused group. grief: 2 active, perinatal. ocd: 3 active.
 */
async function seedScenario(context: Context): Promise<Scenario> {
  const { db } = context;
  const n = unique();
  const areaCode = `AGG${n}`;
  const areaId = randomUUID();
  const locationId = randomUUID();
  const identifiers: string[] = [areaId, locationId, `Aggregate clinic ${n}`, `${n} Aggregate Way`];
  await db
    .insertInto('service_area')
    .values({ id: areaId, code: areaCode, name: `Aggregates ${n}`, lat: 34, lon: -118, members: 1 })
    .execute();
  await db
    .insertInto('location')
    .values({
      id: locationId,
      service_area_id: areaId,
      name: `Aggregate clinic ${n}`,
      address: `${n} Aggregate Way`,
      lat: 34,
      lon: -118,
    })
    .execute();

  const ptsd = await insertGroup(context, locationId, { capacity: 12 });
  const ptsdSecond = await insertGroup(context, locationId, { capacity: 10 });
  const ptsdPaused = await insertGroup(context, locationId, { capacity: 8, status: 'paused' });
  const grief = await insertGroup(context, locationId, { specialty: 'grief', capacity: 10 });
  const ocd = await insertGroup(context, locationId, { specialty: 'ocd', capacity: 6 });
  identifiers.push(ptsd, ptsdSecond, ptsdPaused, grief, ocd);

  const patient = async (overrides: Partial<NewRow<'patient'>> = {}) => {
    const id = randomUUID();
    const k = unique();
    const row = {
      id,
      mrn: `AGG-${String(k).padStart(6, '0')}`,
      name: `Aggregate Patient ${k}`,
      birth_date: `1961-0${(k % 9) + 1}-1${k % 10}`,
      service_area_id: areaId,
      lat: 34,
      lon: -118,
      contact_preferences: { phone: `555-01${String(k).padStart(2, '0')}` },
      ...overrides,
    };
    await db.insertInto('patient').values(row).execute();
    identifiers.push(row.id, row.mrn, row.name, row.birth_date);
    return id;
  };
  const enroll = (patientId: string, groupId: string, status = 'active') =>
    db
      .insertInto('enrollment')
      .values({
        id: randomUUID(),
        patient_id: patientId,
        group_id: groupId,
        status,
        starts_on: '2025-01-07',
        ends_on: status === 'ended' ? '2025-02-01' : null,
      })
      .execute();

  for (let i = 0; i < 12; i++) {
    const dischargedAt = i < 11 ? daysBeforeNow(10) : daysBeforeNow(40);
    const id = await patient({ risk: 'high', discharged_at: dischargedAt });
    await enroll(id, ptsd);
    if (i === 11) await enroll(id, ptsdSecond);
  }
  for (let i = 0; i < 2; i++) {
    const waiting = await patient({
      risk: 'high',
      perinatal: true,
      discharged_at: daysBeforeNow(5),
    });
    await enroll(waiting, ptsdSecond, 'waitlisted');
  }
  await enroll(
    await patient({ risk: 'high', perinatal: true, discharged_at: daysBeforeNow(5) }),
    ptsd,
    'ended',
  );
  for (let i = 0; i < 2; i++) await enroll(await patient({ perinatal: true }), grief);
  for (let i = 0; i < 3; i++) await enroll(await patient(), ocd);
  return { areaCode, identifiers };
}

interface AggregateBody {
  view: string;
  minimumCellSize: number;
  rows: Record<string, unknown>[];
}

function keysOf(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysOf(inner, into);
    }
  }
  return into;
}

describeEachEngine('aggregates API', (use) => {
  let seeded: Promise<Scenario> | undefined;
  const scenario = () => (seeded ??= seedScenario(use().context));

  async function read(role: Role) {
    const { context, raw } = use();
    return actingAs(raw, await bearerFor(context, role)).inject({
      method: 'GET',
      url: '/api/v1/aggregates/enrollment',
    });
  }

  it('gives the auditor exact counts of 11 or more, nulls and names counts of 1 to 10', async () => {
    const { areaCode } = await scenario();
    const response = await read('auditor');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<AggregateBody>();
    expect(body).toMatchObject({ view: 'enrollment', minimumCellSize: 11 });
    const common = {
      serviceAreaCode: areaCode,
      serviceAreaName: `Aggregates ${areaCode.slice(3)}`,
    };
    expect(body.rows.filter((row) => row.serviceAreaCode === areaCode)).toEqual([
      {
        ...common,
        specialty: 'grief',
        groups: 1,
        seats: 10,
        activeEnrollments: null,
        waitlisted: 0,
        patientsHighRisk: 0,
        patientsRecentlyDischarged: 0,
        patientsPerinatal: null,
        suppressed: ['activeEnrollments', 'patientsPerinatal'],
      },
      {
        ...common,
        specialty: 'ocd',
        groups: 1,
        seats: 6,
        activeEnrollments: null,
        waitlisted: 0,
        patientsHighRisk: 0,
        patientsRecentlyDischarged: 0,
        patientsPerinatal: 0,
        suppressed: ['activeEnrollments'],
      },
      {
        ...common,
        specialty: 'ptsd',
        groups: 2,
        seats: 22,
        activeEnrollments: 12,
        waitlisted: null,
        patientsHighRisk: 12,
        patientsRecentlyDischarged: 11,
        patientsPerinatal: 0,
        suppressed: ['waitlisted'],
      },
      {
        ...common,
        specialty: null,
        groups: 4,
        seats: 38,
        activeEnrollments: 17,
        waitlisted: null,
        patientsHighRisk: 12,
        patientsRecentlyDischarged: 11,
        patientsPerinatal: null,
        suppressed: ['waitlisted', 'patientsPerinatal'],
      },
    ]);
  });

  it('carries no id, name, MRN, birth date or contact of any patient, group or place', async () => {
    const { identifiers } = await scenario();
    const response = await read('auditor');
    expect(response.statusCode).toBe(200);
    for (const identifier of identifiers) expect(response.body).not.toContain(identifier);
    expect(response.body).not.toMatch(/555-01/);
    const identifying = [...keysOf(response.json())].filter((key) =>
      /id$|name|mrn|birth|phone|email|address|contact|lat|lon/i.test(key),
    );
    expect(identifying).toEqual(['serviceAreaName']);
  });

  it('audits the read, without a patient', async () => {
    const { context } = use();
    await scenario();
    expect((await read('auditor')).statusCode).toBe(200);
    const newest = await context.db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'aggregates.read')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(newest).toMatchObject({
      entity: 'aggregate',
      patient_id: null,
      entity_id: null,
      outcome: 'allowed',
      detail: { view: 'enrollment' },
    });
    expect(newest.actor).toMatch(/^token:|^user:/);
  });

  it.each<Role>(['admin', 'coordinator', 'compliance'])('answers %s too', async (role) => {
    expect((await read(role)).statusCode).toBe(200);
  });

  it.each<[Role | null, string]>([
    ['clinician', 'FORBIDDEN'],
    [null, 'UNAUTHENTICATED'],
  ])('refuses %s in the service as well, and audits the refusal', async (role, code) => {
    const { context } = use();
    const label = `user:${randomUUID()}`;
    const services = context.servicesFor({
      kind: role ? 'user' : 'anonymous',
      userId: null,
      role,
      clinicianId: null,
      label,
      ip: null,
    });
    await expect(services.aggregates.enrollment()).rejects.toMatchObject({ code });
    const denied = await context.db
      .selectFrom('audit_event')
      .select(['action', 'outcome'])
      .where('actor', '=', label)
      .execute();
    expect(denied).toEqual([{ action: 'aggregates.read', outcome: 'denied' }]);
  });

  it('refuses a clinician with 403 and nobody with 401', async () => {
    expect((await read('clinician')).statusCode).toBe(403);
    const nobody = await use().raw.inject({ method: 'GET', url: '/api/v1/aggregates/enrollment' });
    expect(nobody.statusCode).toBe(401);
  });
});

describeEachEngine('the days-without-care trend', (use) => {
  it('counts, week by week, who has gone how long without care, with small counts withheld', async () => {
    const { app, context } = use();
    const { db } = context;
    const n = unique();
    const areaId = randomUUID();
    const locationId = randomUUID();
    await db
      .insertInto('service_area')
      .values({ id: areaId, code: `TRD${n}`, name: `Trend ${n}`, lat: 34, lon: -118, members: 1 })
      .execute();
    await db
      .insertInto('location')
      .values({
        id: locationId,
        service_area_id: areaId,
        name: `Trend clinic ${n}`,
        address: `${n} Trend Way`,
        lat: 34,
        lon: -118,
      })
      .execute();
    const groupId = await insertGroup(context, locationId, { capacity: 12 });
    const other = await insertGroup(context, locationId, { capacity: 12 });
    const sessionAt = async (at: string) => {
      const id = randomUUID();
      await db
        .insertInto('group_session')
        .values({
          id,
          group_id: groupId,
          starts_at: new Date(at),
          ends_at: new Date(new Date(at).getTime() + 5_400_000),
          status: 'held',
        })
        .execute();
      return id;
    };
    const january = await sessionAt('2025-01-20T18:00:00Z');
    const february = await sessionAt('2025-02-25T18:00:00Z');
    // 24 patients in treatment since January: 12 came to both sessions, 12 to none.
    for (let i = 0; i < 24; i++) {
      const patientId = randomUUID();
      const k = unique();
      await db
        .insertInto('patient')
        .values({
          id: patientId,
          mrn: `TRD-${String(k).padStart(6, '0')}`,
          name: `Trend Patient ${k}`,
          birth_date: '1980-01-01',
          service_area_id: areaId,
          lat: 34,
          lon: -118,
        })
        .execute();
      await db
        .insertInto('enrollment')
        .values({
          id: randomUUID(),
          patient_id: patientId,
          group_id: i < 12 ? groupId : other,
          status: 'active',
          starts_on: '2025-01-06',
        })
        .execute();
      if (i < 12) {
        await db
          .insertInto('attendance')
          .values([
            { session_id: january, patient_id: patientId, status: 'present' },
            { session_id: february, patient_id: patientId, status: 'present' },
          ])
          .execute();
      }
    }

    const auditor = actingAs(app, await bearerFor(context, 'auditor'));
    const response = await auditor.inject({
      method: 'GET',
      url: `/api/v1/aggregates/days-without-care?weeks=2&serviceAreaId=${areaId}`,
    });
    expect(response.statusCode).toBe(200);
    // The clock stands at 2025-03-03 (Los Angeles): weeks end 2025-02-24 and 2025-03-03.
    expect(response.json<{ weeks: unknown[] }>().weeks).toEqual([
      // Last care 2025-01-20 18:00 → 35.25 days before the end of 2025-02-24.
      {
        weekEnding: '2025-02-24',
        patients: 24,
        neverSeen: 12,
        over14Days: 12,
        over28Days: 12,
        medianDays: 35.3,
      },
      // Last care 2025-02-25 18:00 → 6.25 days before the end of 2025-03-03.
      {
        weekEnding: '2025-03-03',
        patients: 24,
        neverSeen: 12,
        over14Days: 0,
        over28Days: 0,
        medianDays: 6.3,
      },
    ]);
    expect(response.body).not.toContain('Trend Patient');

    const small = await auditor.inject({
      method: 'GET',
      url: `/api/v1/aggregates/days-without-care?weeks=2&serviceAreaId=${randomUUID()}`,
    });
    expect(
      small.json<{ weeks: { patients: number | null }[] }>().weeks.map((w) => w.patients),
    ).toEqual([0, 0]);
    const bad = await auditor.inject({
      method: 'GET',
      url: '/api/v1/aggregates/days-without-care?weeks=100',
    });
    expect(bad.statusCode).toBe(400);
  });
});
