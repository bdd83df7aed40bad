import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import {
  buildClinician,
  buildGroup,
  buildLocation,
  buildPatient,
  buildServiceArea,
  create,
} from '../../test/factories.ts';
import { actingAs, bearerFor, describeEachEngine } from '../../test/harness.ts';
import { isoWeekOf, weekBounds } from './workload.domain.ts';

describe('weekBounds', () => {
  it.each([
    ['2025-W10', '2025-03-03', '2025-03-03T08:00:00.000Z', '2025-03-10T07:00:00.000Z'],
    ['2025-W01', '2024-12-30', '2024-12-30T08:00:00.000Z', '2025-01-06T08:00:00.000Z'],
    ['2026-W53', '2026-12-28', '2026-12-28T08:00:00.000Z', '2027-01-04T08:00:00.000Z'],
  ])('%s runs from Monday %s, local time', (week, monday, from, to) => {
    const b = weekBounds(week, 'America/Los_Angeles');
    expect([b.monday, b.from.toISOString(), b.to.toISOString()]).toEqual([monday, from, to]);
  });

  it.each([
    ['2025-03-05', '2025-W10'],
    ['2024-12-30', '2025-W01'],
    ['2027-01-03', '2026-W53'],
    ['2021-01-03', '2020-W53'],
  ])('%s is in %s', (date, week) => {
    expect(isoWeekOf(date)).toBe(week);
  });

  it('refuses a week the year does not have', () => {
    expect(() => weekBounds('2025-W53', 'America/Los_Angeles')).toThrow(/ISO week/);
  });
});

/*
 * A hand-built week, 2025-W10 (Monday 3 to Sunday 9 March, Los Angeles):
 * - Ana (1 FTE, 40 h) runs a Tuesday group of 90 minutes, and sees 3 patients on Monday and 11 on
 *   Wednesday: 14 individual hours + 1.5 group hours = 15.5 h of direct care; with half an hour of
 *   preparation per group hour, 40 − 14 − 2.25 = 23.75 protected hours; Wednesday is a busy day.
 * - Ben (0.5 FTE, 20 h) has 15 visits booked: 20 − 15 = 5 protected hours, below the 7-hour target.
 */
describeEachEngine('workload API', (use) => {
  it('measures a hand-built week, and shows a clinician only their own', async () => {
    const { app, raw, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const location = await create(app, '/locations', buildLocation(area.id));
    const ana = await create(app, '/clinicians', buildClinician(location.id, { fte: 1 }));
    const ben = await create(app, '/clinicians', buildClinician(location.id, { fte: 0.5 }));
    await create(
      app,
      '/groups',
      buildGroup(location.id, { facilitators: [{ clinicianId: ana.id, role: 'lead' }] }),
    );
    const patients: string[] = [];
    for (let i = 0; i < 15; i++)
      patients.push((await create(app, '/patients', buildPatient(area.id))).id);
    const visit = (clinicianId: string, patientId: string, at: string, status: string) => ({
      id: uuidv7(),
      patient_id: patientId,
      clinician_id: clinicianId,
      kind: 'follow_up',
      requested_at: new Date('2025-02-20T18:00:00.000Z'),
      first_offered_at: new Date(at),
      starts_at: new Date(at),
      status,
    });
    const rows = [
      ...patients
        .slice(0, 3)
        .map((p, i) => visit(ana.id, p, `2025-03-03T${17 + i}:00:00.000Z`, 'attended')),
      ...patients
        .slice(0, 11)
        .map((p, i) =>
          visit(
            ana.id,
            p,
            `2025-03-05T${String(15 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}:00.000Z`,
            'attended',
          ),
        ),
      ...patients.map((p, i) =>
        visit(ben.id, p, `2025-03-0${6 + (i % 2)}T${16 + Math.floor(i / 2)}:00:00.000Z`, 'booked'),
      ),
    ];
    await context.db.insertInto('appointment').values(rows).execute();

    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/workload?week=2025-W10&area=${area.id}`,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      clinicians: {
        clinicianId: string;
        directCareHours: number;
        groupHoursWithPrep: number;
        protectedHours: number;
        belowProtectedTarget: boolean;
        busyDays: string[];
        patientsByDay: Record<string, number>;
      }[];
      areas: { clinicians: number; belowProtectedTarget: number; busyDays: number }[];
    }>();
    const a = body.clinicians.find((c) => c.clinicianId === ana.id);
    const b = body.clinicians.find((c) => c.clinicianId === ben.id);
    expect(a).toMatchObject({
      directCareHours: 15.5,
      groupHoursWithPrep: 2.25,
      protectedHours: 23.75,
      belowProtectedTarget: false,
      busyDays: ['2025-03-05'],
      patientsByDay: { '2025-03-03': 3, '2025-03-05': 11 },
    });
    expect(b).toMatchObject({ directCareHours: 15, protectedHours: 5, belowProtectedTarget: true });
    expect(body.areas).toEqual([
      expect.objectContaining({ clinicians: 2, belowProtectedTarget: 1, busyDays: 1 }),
    ]);

    // With the other figure DOMAIN.md gives (5 hours), Ben is on target.
    const five = await app.inject({
      method: 'GET',
      url: `/api/v1/workload?week=2025-W10&area=${area.id}&target=5`,
    });
    expect(
      five.json<typeof body>().clinicians.find((c) => c.clinicianId === ben.id)
        ?.belowProtectedTarget,
    ).toBe(false);

    const asBen = actingAs(raw, await bearerFor(context, 'clinician', { clinicianId: ben.id }));
    const own = await asBen.inject({ method: 'GET', url: '/api/v1/workload?week=2025-W10' });
    expect(own.json<typeof body>().clinicians.map((c) => c.clinicianId)).toEqual([ben.id]);
    const badWeek = await app.inject({ method: 'GET', url: '/api/v1/workload?week=2025-W60' });
    expect(badWeek.statusCode).toBe(400);
  });
});
