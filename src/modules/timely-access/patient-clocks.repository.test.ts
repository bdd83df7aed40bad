import fc from 'fast-check';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Db } from '../../db/database.ts';
import { uuidv7 } from '../../shared/ids.ts';
import {
  buildClinician,
  buildLocation,
  buildOutsideProvider,
  buildPatient,
  buildServiceArea,
  create,
} from '../../test/factories.ts';
import { describeEachEngine } from '../../test/harness.ts';
import { deleteClosure, insertClosure } from './calendar.repository.ts';
import { careGapWorklist, listCareGaps, type GapStatus } from './care-gaps.repository.ts';
import { refreshPatientClocks } from './patient-clocks.repository.ts';
import { groupings, rates } from './timely-access.repository.ts';
import { currentCalendar } from './timely-access.service.ts';

/*
 * The stored care clocks and verdicts must be what the live SQL computes, whatever was written
 * and whenever they are read. A random history of writes, made straight to the tables as any
 * writer would (appointments requested, booked, attended, cancelled, moved and deleted;
 * attendance; enrollments started, paused and ended; sessions added, moved and cancelled;
 * discharges; a patient's risk; a clinician's discipline; calendar closures), with the clock
 * moving forward, back, across the new year, and onto the very instants a stored clock says it
 * changes at (and just before them); after each step the stored worklist (every status) and the
 * rates by every grouping must equal the live ones.
 */

const tz = 'America/Los_Angeles';
const hour = 3_600_000;
const day = 24 * hour;
const start = Date.parse('2025-10-20T16:00:00.000Z');

type Op =
  | {
      op: 'request';
      patient: number;
      kind: 'initial' | 'follow_up' | 'group';
      urgent: boolean;
      priorAuthorization: boolean;
      agoHours: number;
      offerHours: number | null;
      with: 'lcsw' | 'psychiatrist' | 'outside' | 'none';
      note: boolean;
    }
  | { op: 'visit'; patient: number; agoHours: number }
  | { op: 'attend' | 'no_show' | 'delete'; appointment: number }
  | { op: 'cancel'; appointment: number; by: 'patient' | 'provider' }
  | { op: 'reschedule'; appointment: number; hours: number }
  | { op: 'attendance'; session: number; patient: number; present: boolean }
  | { op: 'enroll'; patient: number; group: number; agoDays: number }
  | { op: 'enrollment'; enrollment: number; to: 'paused' | 'ended' | 'active' }
  | { op: 'session'; group: number; hours: number }
  | { op: 'cancel_session' | 'move_session'; session: number; hours: number }
  | { op: 'discharge'; patient: number; agoHours: number | null }
  | { op: 'risk'; patient: number; risk: 'low' | 'high'; psychosis: boolean }
  | { op: 'discipline'; to: 'lcsw' | 'psychiatrist' }
  | { op: 'closure'; inDays: number }
  | { op: 'time'; hours: number }
  | { op: 'edge'; pick: number; before: boolean };

const index = fc.nat({ max: 1000 });
const patient = fc.nat({ max: 9 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('request' as const),
      patient,
      kind: fc.constantFrom(
        'initial' as const,
        'follow_up' as const,
        'follow_up' as const,
        'group' as const,
      ),
      urgent: fc.boolean(),
      priorAuthorization: fc.boolean(),
      agoHours: fc.integer({ min: -48, max: 400 }),
      offerHours: fc.option(fc.integer({ min: 0, max: 500 }), { nil: null, freq: 4 }),
      with: fc.constantFrom(
        'lcsw' as const,
        'psychiatrist' as const,
        'outside' as const,
        'none' as const,
      ),
      note: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('visit' as const),
      patient,
      agoHours: fc.integer({ min: 0, max: 2400 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom('attend' as const, 'no_show' as const, 'delete' as const),
      appointment: index,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('cancel' as const),
      appointment: index,
      by: fc.constantFrom('patient' as const, 'provider' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('reschedule' as const),
      appointment: index,
      hours: fc.integer({ min: -200, max: 300 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('attendance' as const),
      session: index,
      patient,
      present: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('enroll' as const),
      patient,
      group: fc.nat({ max: 1 }),
      agoDays: fc.integer({ min: 0, max: 60 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('enrollment' as const),
      enrollment: index,
      to: fc.constantFrom('paused' as const, 'ended' as const, 'active' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('session' as const),
      group: fc.nat({ max: 1 }),
      hours: fc.integer({ min: -300, max: 300 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom('cancel_session' as const, 'move_session' as const),
      session: index,
      hours: fc.integer({ min: -50, max: 50 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('discharge' as const),
      patient,
      agoHours: fc.option(fc.integer({ min: -24, max: 900 }), { nil: null, freq: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('risk' as const),
      patient,
      risk: fc.constantFrom('low' as const, 'high' as const),
      psychosis: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('discipline' as const),
      to: fc.constantFrom('lcsw' as const, 'psychiatrist' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('closure' as const),
      inDays: fc.integer({ min: -10, max: 20 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('time' as const),
      hours: fc.integer({ min: -72, max: 120 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('edge' as const), pick: index, before: fc.boolean() }),
  },
);

const localDay = (at: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: tz, dateStyle: 'short' }).format(new Date(at));

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

/** Every stored view must equal the live one at `now`; returns the statuses listed. */
async function compare(db: Db, now: Date, step: string): Promise<GapStatus[]> {
  await currentCalendar(db, tz, now);
  await refreshPatientClocks(db, now, tz);
  const page = { after: null, limit: 1000 };
  const listed: GapStatus[] = [];
  for (const status of [undefined, 'overdue', 'at_risk', 'on_track'] satisfies (
    GapStatus | undefined
  )[]) {
    const stored = await careGapWorklist(db, { status }, page, now, tz);
    const live = await listCareGaps(db, { status }, page, now, tz);
    expect(stored.items, `${step}, status ${status ?? 'any'}`).toEqual(live.items);
    if (status === undefined) listed.push(...stored.items.map((gap) => gap.status));
  }
  const period = { from: new Date(start - 400 * day), to: new Date(start + 400 * day) };
  for (const groupBy of groupings)
    expect(await rates(db, period, groupBy, now, tz), `${step}, rates by ${groupBy}`).toEqual(
      await rates(db, period, groupBy, now, tz, 'live'),
    );
  return listed;
}

describeEachEngine('stored care clocks and verdicts', (use) => {
  it('equal the live computation after any history of writes and clock moves', async () => {
    const { app, context } = use();
    const db = context.db;
    const area = await create(app, '/service-areas', buildServiceArea());
    const location = await create(app, '/locations', buildLocation(area.id));
    const lcsw = (await create(app, '/clinicians', buildClinician(location.id))).id;
    const psychiatrist = (
      await create(
        app,
        '/clinicians',
        buildClinician(location.id, { discipline: 'psychiatrist', specialties: ['depression'] }),
      )
    ).id;
    const provider = (await create(app, '/outside-providers', buildOutsideProvider())).id;
    const patients: string[] = [];
    for (let i = 0; i < 10; i++)
      patients.push(
        (
          await create(
            app,
            '/patients',
            buildPatient(area.id, { perinatal: i % 3 === 0, risk: i % 4 === 1 ? 'high' : 'low' }),
          )
        ).id,
      );
    const groups: string[] = [];
    const sessions: string[] = [];
    for (let g = 0; g < 2; g++) {
      const id = uuidv7();
      await db
        .insertInto('therapy_group')
        .values({
          id,
          name: `Group ${g}`,
          specialty: 'depression',
          modality: 'in_person',
          location_id: location.id,
          capacity: 12,
          rrule: 'FREQ=WEEKLY;BYDAY=TU',
          starts_on: '2025-08-01',
        })
        .execute();
      groups.push(id);
      for (let w = -6; w < 14; w++) {
        const at = start + w * 7 * day + g * 2 * day;
        const session = uuidv7();
        await db
          .insertInto('group_session')
          .values({
            id: session,
            group_id: id,
            starts_at: new Date(at),
            ends_at: new Date(at + 90 * 60_000),
          })
          .execute();
        sessions.push(session);
      }
    }
    const appointments: string[] = [];
    const enrollments: string[] = [];
    let now = start;
    await currentCalendar(db, tz, new Date(now));
    // Statistics for the business-day calendar just written: without them server PostgreSQL
    // plans each business-day lookup as a join of the whole calendar (a test 20 times slower).
    await sql`analyze business_day`.execute(db);
    await compare(db, new Date(now), 'start');
    let mostListed = 0;
    const statuses = new Set<GapStatus>();

    const history = fc.sample(fc.array(op, { minLength: 200, maxLength: 200 }), {
      seed: 20251020,
      numRuns: 1,
    })[0];
    if (!history) throw new Error('no sample');
    const seen = new Set<string>();
    for (const [i, step] of history.entries()) {
      seen.add(step.op);
      switch (step.op) {
        case 'request': {
          const requestedAt = now - step.agoHours * hour;
          const offered =
            step.offerHours === null ? null : new Date(requestedAt + step.offerHours * hour);
          const id = uuidv7();
          await db
            .insertInto('appointment')
            .values({
              id,
              patient_id: patients[step.patient] ?? '',
              clinician_id:
                step.with === 'lcsw' ? lcsw : step.with === 'psychiatrist' ? psychiatrist : null,
              provider_id: step.with === 'outside' ? provider : null,
              kind: step.kind,
              urgency: step.urgent ? 'urgent' : 'non_urgent',
              prior_authorization: step.priorAuthorization,
              requested_at: new Date(requestedAt),
              first_offered_at: offered,
              starts_at: offered,
              status: offered === null ? 'requested' : 'booked',
              interval_override_note: step.note ? 'a longer interval suits the plan' : null,
            })
            .execute();
          appointments.push(id);
          break;
        }
        case 'visit': {
          const at = new Date(now - step.agoHours * hour);
          const id = uuidv7();
          await db
            .insertInto('appointment')
            .values({
              id,
              patient_id: patients[step.patient] ?? '',
              clinician_id: lcsw,
              kind: 'follow_up',
              requested_at: new Date(at.getTime() - 5 * day),
              first_offered_at: at,
              starts_at: at,
              status: 'attended',
            })
            .execute();
          appointments.push(id);
          break;
        }
        case 'attend':
        case 'no_show': {
          const id = pick(appointments, step.appointment);
          if (id)
            await db
              .updateTable('appointment')
              .set({ status: step.op === 'attend' ? 'attended' : 'no_show', cancelled_by: null })
              .where('id', '=', id)
              .where('starts_at', 'is not', null)
              .execute();
          break;
        }
        case 'delete': {
          const id = pick(appointments, step.appointment);
          if (id) await db.deleteFrom('appointment').where('id', '=', id).execute();
          break;
        }
        case 'cancel': {
          const id = pick(appointments, step.appointment);
          if (id)
            await db
              .updateTable('appointment')
              .set({ status: 'cancelled', cancelled_by: step.by })
              .where('id', '=', id)
              .execute();
          break;
        }
        case 'reschedule': {
          const id = pick(appointments, step.appointment);
          if (id)
            await db
              .updateTable('appointment')
              .set({
                starts_at: new Date(now + step.hours * hour),
                status: 'booked',
                cancelled_by: null,
              })
              .where('id', '=', id)
              .where('first_offered_at', 'is not', null)
              .execute();
          break;
        }
        case 'attendance': {
          // One of the last few sessions held, which moves a patient's last care.
          const recent = await db
            .selectFrom('group_session')
            .select('id')
            .where('starts_at', '<=', new Date(now))
            .orderBy('starts_at', 'desc')
            .limit(4)
            .execute();
          const session = pick(recent, step.session)?.id;
          if (session)
            await db
              .insertInto('attendance')
              .values({
                session_id: session,
                patient_id: patients[step.patient] ?? '',
                status: step.present ? 'present' : 'absent',
              })
              .onConflict((oc) =>
                oc
                  .columns(['session_id', 'patient_id'])
                  .doUpdateSet({ status: step.present ? 'present' : 'absent' }),
              )
              .execute();
          break;
        }
        case 'enroll': {
          const id = uuidv7();
          const result = await db
            .insertInto('enrollment')
            .values({
              id,
              patient_id: patients[step.patient] ?? '',
              group_id: groups[step.group] ?? '',
              starts_on: localDay(now - step.agoDays * day),
            })
            .onConflict((oc) => oc.doNothing())
            .returning('id')
            .executeTakeFirst();
          if (result) enrollments.push(id);
          break;
        }
        case 'enrollment': {
          const id = pick(enrollments, step.enrollment);
          if (id)
            await db
              .updateTable('enrollment')
              .set(
                step.to === 'ended'
                  ? {
                      status: 'ended',
                      ends_on: sql<string>`greatest(starts_on, ${localDay(now)}::date)`,
                    }
                  : { status: step.to },
              )
              .where('id', '=', id)
              .where('status', '<>', 'ended')
              .execute();
          break;
        }
        case 'session': {
          const at = now + step.hours * hour;
          const id = uuidv7();
          await db
            .insertInto('group_session')
            .values({
              id,
              group_id: groups[step.group] ?? '',
              starts_at: new Date(at),
              ends_at: new Date(at + hour),
            })
            .onConflict((oc) => oc.doNothing())
            .execute();
          sessions.push(id);
          break;
        }
        case 'cancel_session': {
          const id = pick(sessions, step.session);
          if (id)
            await db
              .updateTable('group_session')
              .set({ status: 'cancelled', cancel_reason: 'strike' })
              .where('id', '=', id)
              .execute();
          break;
        }
        case 'move_session': {
          const id = pick(sessions, step.session);
          if (id)
            await db
              .updateTable('group_session')
              .set({
                starts_at: sql`starts_at + ${`${step.hours} hours`}::interval`,
                ends_at: sql`ends_at + ${`${step.hours} hours`}::interval`,
              })
              .where('id', '=', id)
              // Not onto another session of the group (one session per group and start).
              .where(
                sql<boolean>`not exists (select 1 from group_session o
                  where o.group_id = group_session.group_id
                    and o.starts_at = group_session.starts_at + ${`${step.hours} hours`}::interval)`,
              )
              .execute();
          break;
        }
        case 'discharge':
          await db
            .updateTable('patient')
            .set({
              discharged_at: step.agoHours === null ? null : new Date(now - step.agoHours * hour),
            })
            .where('id', '=', patients[step.patient] ?? '')
            .execute();
          break;
        case 'risk':
          await db
            .updateTable('patient')
            .set({
              risk: step.risk,
              conditions: step.psychosis ? ['perinatal_psychosis_risk'] : ['depression'],
            })
            .where('id', '=', patients[step.patient] ?? '')
            .execute();
          break;
        case 'discipline':
          await db
            .updateTable('clinician')
            .set({ discipline: step.to })
            .where('id', '=', lcsw)
            .execute();
          break;
        case 'closure': {
          const closed = localDay(now + step.inDays * day);
          const existing = await db
            .selectFrom('calendar_closure')
            .select('day')
            .where('day', '=', closed)
            .executeTakeFirst();
          if (existing) await deleteClosure(db, closed);
          else await insertClosure(db, { day: closed, reason: 'staff training', addedBy: 'test' });
          break;
        }
        case 'time':
          now += step.hours * hour;
          break;
        case 'edge': {
          // The instants a stored clock changes at, from the clock's own idea of them, and the
          // deadlines (and the day before them), where the status changes at read time.
          const { rows } = await sql<{ at: Date }>`
            select at from (
              select valid_until as at from care_clock
              union select deadline from care_clock where in_course
              union select deadline - interval '1 day' from care_clock where in_course) e
             where at is not null
             order by at`.execute(db);
          const edge = pick(rows, step.pick);
          if (edge) now = edge.at.getTime() - (step.before ? 1 : 0);
          break;
        }
        default:
          step satisfies never;
      }
      const listed = await compare(db, new Date(now), `step ${i} (${JSON.stringify(step)})`);
      mostListed = Math.max(mostListed, listed.length);
      for (const status of listed) statuses.add(status);
    }
    // The history reached every kind of write, every status, and most patients at once.
    expect(seen.size, [...seen].sort().join(' ')).toBe(19);
    expect([...statuses].sort()).toEqual(['at_risk', 'on_track', 'overdue']);
    expect(mostListed).toBeGreaterThanOrEqual(6);
  }, 300_000);
});
