import { expect, it } from 'vitest';
import type { Context } from '../context.ts';
import { uuidv7 } from '../shared/ids.ts';
import { isAppError } from '../shared/errors.ts';
import {
  buildGroup,
  buildLocation,
  buildPatient,
  buildServiceArea,
  create,
} from '../test/factories.ts';
import { describeEachEngine } from '../test/harness.ts';
import { withDbErrors } from './errors.ts';

/*
 * The seat limit lives in the database (0003-rematch): whatever code inserts or updates
 * enrollments, and however many transactions race, a group never holds more active enrollments
 * than its capacity. These tests go around the services on purpose.
 */

async function seatsTaken(context: Context, groupId: string): Promise<number> {
  const row = await context.db
    .selectFrom('therapy_group')
    .select('seats_taken')
    .where('id', '=', groupId)
    .executeTakeFirstOrThrow();
  return row.seats_taken;
}

async function activeCount(context: Context, groupId: string): Promise<number> {
  const row = await context.db
    .selectFrom('enrollment')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_id', '=', groupId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return row.n;
}

function enrollmentRow(patientId: string, groupId: string, status = 'active') {
  return {
    id: uuidv7(),
    patient_id: patientId,
    group_id: groupId,
    status,
    starts_on: '2025-03-03',
  };
}

describeEachEngine('the seat limit in the database', (use) => {
  async function groupWithPatients(capacity: number, patients: number) {
    const { app } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const location = await create(app, '/locations', buildLocation(area.id));
    const group = await create(app, '/groups', buildGroup(location.id, { capacity, minSize: 1 }));
    const ids: string[] = [];
    for (let i = 0; i < patients; i++)
      ids.push((await create(app, '/patients', buildPatient(area.id))).id);
    return { groupId: group.id, patientIds: ids };
  }

  it('counts active seats through insert, update and delete', async () => {
    const { context } = use();
    const { groupId, patientIds } = await groupWithPatients(5, 3);
    const [a, b, c] = patientIds.map((id) => enrollmentRow(id, groupId));
    if (!a || !b || !c) throw new Error('three patients expected');
    await context.db
      .insertInto('enrollment')
      .values([a, b, { ...c, status: 'waitlisted' }])
      .execute();
    expect(await seatsTaken(context, groupId)).toBe(2);
    await context.db
      .updateTable('enrollment')
      .set({ status: 'active' })
      .where('id', '=', c.id)
      .execute();
    await context.db
      .updateTable('enrollment')
      .set({ status: 'ended', ends_on: '2025-03-04' })
      .where('id', '=', a.id)
      .execute();
    expect(await seatsTaken(context, groupId)).toBe(2);
    await context.db.deleteFrom('enrollment').where('id', '=', b.id).execute();
    expect(await seatsTaken(context, groupId)).toBe(1);
    expect(await activeCount(context, groupId)).toBe(1);
  });

  it('refuses a statement that over-fills a group, as GROUP_FULL, and writes none of it', async () => {
    const { context } = use();
    const { groupId, patientIds } = await groupWithPatients(2, 3);
    const error = await withDbErrors(() =>
      context.db
        .insertInto('enrollment')
        .values(patientIds.map((id) => enrollmentRow(id, groupId)))
        .execute(),
    ).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('GROUP_FULL');
    expect(await activeCount(context, groupId)).toBe(0);
    expect(await seatsTaken(context, groupId)).toBe(0);
  });

  it('lets racing transactions take exactly the seats there are', async () => {
    const { context } = use();
    const { groupId, patientIds } = await groupWithPatients(3, 8);
    const outcomes = await Promise.allSettled(
      patientIds.map((id) =>
        withDbErrors(() =>
          context.db.transaction().execute(async (trx) => {
            await trx.insertInto('enrollment').values(enrollmentRow(id, groupId)).execute();
          }),
        ),
      ),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.length - refused.length).toBe(3);
    for (const outcome of refused)
      expect(isAppError(outcome.reason) && outcome.reason.code).toBe('GROUP_FULL');
    expect(await activeCount(context, groupId)).toBe(3);
    expect(await seatsTaken(context, groupId)).toBe(3);
  });

  it('still lets a group shrink below its members, and then refuses new seats', async () => {
    const { context } = use();
    const { groupId, patientIds } = await groupWithPatients(3, 3);
    const [first, second, third] = patientIds;
    if (!first || !second || !third) throw new Error('three patients expected');
    await context.db
      .insertInto('enrollment')
      .values([enrollmentRow(first, groupId), enrollmentRow(second, groupId)])
      .execute();
    await context.db
      .updateTable('therapy_group')
      .set({ capacity: 1 })
      .where('id', '=', groupId)
      .execute();
    const error = await withDbErrors(() =>
      context.db.insertInto('enrollment').values(enrollmentRow(third, groupId)).execute(),
    ).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('GROUP_FULL');
    expect(await seatsTaken(context, groupId)).toBe(2);
  });
});
