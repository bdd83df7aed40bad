import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import type { Database, Row } from '../../db/database.ts';
import { describeEachEngine } from '../../test/harness.ts';
import { cliActor, type Actor, type Role } from '../auth/policy.domain.ts';
import { walkChain } from './audit.service.ts';

function userActor(role: Role | null): Actor {
  const userId = randomUUID();
  return {
    kind: role === null ? 'anonymous' : 'user',
    userId: role === null ? null : userId,
    role,
    clinicianId: null,
    label: role === null ? 'anonymous' : `user:${userId}`,
    ip: '10.0.0.7',
  };
}

/** Appends `count` events under a label of their own; returns their rows, oldest first. */
async function appendEvents(context: Context, count: number): Promise<Row<'audit_event'>[]> {
  const actor = cliActor(`verify-${randomUUID()}`);
  const access = context.accessFor(actor);
  for (let i = 0; i < count; i++) {
    await access.record([
      { action: 'patient.read', entity: 'patient', entityId: randomUUID(), detail: { i } },
    ]);
  }
  return context.db
    .selectFrom('audit_event')
    .selectAll()
    .where('actor', '=', actor.label)
    .orderBy('seq')
    .execute();
}

function nth<T>(rows: readonly T[], index: number): T {
  const row = rows[index];
  if (row === undefined) throw new Error(`No row ${index}`);
  return row;
}

/**
 * What someone with the database superuser's rights could do: change the table with its
 * append-only triggers switched off (replica mode skips ordinary triggers), in one transaction.
 */
async function behindTheTriggers(
  context: Context,
  work: (trx: Transaction<Database>) => Promise<unknown>,
): Promise<void> {
  await context.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await work(trx);
  });
}

/** Puts a deleted row back exactly as it was, seq included, so later tests see an intact chain. */
async function reinsert(trx: Transaction<Database>, row: Row<'audit_event'>): Promise<void> {
  await sql`insert into audit_event
      (seq, at, actor, action, entity, entity_id, patient_id, detail, ip, outcome, prev_hash, hash)
    overriding system value values (${row.seq}, ${row.at}, ${row.actor}, ${row.action},
      ${row.entity}, ${row.entity_id}, ${row.patient_id}, ${JSON.stringify(row.detail)}::jsonb,
      ${row.ip}, ${row.outcome}, ${row.prev_hash}, ${row.hash})`.execute(trx);
}

async function chainEnd(context: Context): Promise<{ count: number; lastSeq: number | null }> {
  const row = await context.db
    .selectFrom('audit_event')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('seq').as('lastSeq')])
    .executeTakeFirstOrThrow();
  return { count: row.count, lastSeq: row.lastSeq };
}

describeEachEngine('audit verify', (use) => {
  const admin = () => use().context.servicesFor(cliActor('audit-test'));

  it('reports an intact chain, then audits its own run with the result', async () => {
    const { context } = use();
    await appendEvents(context, 5);
    const before = await chainEnd(context);
    const result = await admin().audit.verify();
    expect(result).toEqual({
      intact: true,
      checked: before.count,
      lastSeq: before.lastSeq,
      brokenAt: null,
    });
    const newest = await context.db
      .selectFrom('audit_event')
      .selectAll()
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(newest).toMatchObject({
      action: 'audit.verify',
      entity: 'audit_event',
      actor: 'cli:audit-test',
      outcome: 'allowed',
      detail: { checked: before.count, intact: true },
    });
    expect(newest.seq).toBeGreaterThan(before.lastSeq ?? 0);
  });

  it('appends 7,000 events at once, and the chain holds', async () => {
    const { context } = use();
    const actor = cliActor(`bulk-${randomUUID()}`);
    // As one row a parameter, 7,000 events × 11 columns would be past the 65,535 parameters
    // Postgres takes in one statement; as one array a column (audit_append) they are 13.
    await context.accessFor(actor).record(
      Array.from({ length: 7000 }, (_, i) => ({
        action: 'patient.read',
        entity: 'patient',
        entityId: randomUUID(),
        detail: { i },
      })),
    );
    const rows = await context.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('actor', '=', actor.label)
      .executeTakeFirstOrThrow();
    expect(rows.n).toBe(7000);
    expect(await admin().audit.verify()).toMatchObject({ intact: true, brokenAt: null });
  });

  it('carries the chain across batches and reports progress after each', async () => {
    const { context } = use();
    await appendEvents(context, 5);
    const { count, lastSeq } = await chainEnd(context);
    const progress: number[] = [];
    const result = await walkChain(context.db, (p) => progress.push(p.checked), 2);
    expect(result).toEqual({ intact: true, checked: count, lastSeq, brokenAt: null });
    expect(progress.at(-1)).toBe(count);
    expect(progress.length).toBe(Math.floor(count / 2) + 1);
  });

  it('refuses the application an update, a delete or a truncate of the trail', async () => {
    const { context } = use();
    const [row] = await appendEvents(context, 1);
    const before = await chainEnd(context);
    for (const statement of [
      sql`update audit_event set actor = 'x'`,
      sql`update audit_event set detail = '{}'::jsonb where seq = ${row?.seq}`,
      sql`delete from audit_event where seq = ${row?.seq}`,
      sql`truncate audit_event`,
    ]) {
      await expect(statement.execute(context.db)).rejects.toMatchObject({ code: '42501' });
    }
    expect(await chainEnd(context)).toEqual(before);
    expect((await admin().audit.verify()).intact).toBe(true);
  });

  it('names an event whose detail was altered directly in the database', async () => {
    const { context } = use();
    const rows = await appendEvents(context, 5);
    const target = nth(rows, 2);
    await behindTheTriggers(context, (trx) =>
      trx
        .updateTable('audit_event')
        .set({ detail: { i: 99 } })
        .where('seq', '=', target.seq)
        .execute(),
    );
    const { count: before } = await context.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('seq', '<', target.seq)
      .executeTakeFirstOrThrow();

    const broken = await admin().audit.verify();
    expect(broken).toEqual({
      intact: false,
      checked: before,
      lastSeq: nth(rows, 1).seq,
      brokenAt: { seq: target.seq, reason: 'hash' },
    });

    await behindTheTriggers(context, (trx) =>
      trx
        .updateTable('audit_event')
        .set({ detail: target.detail })
        .where('seq', '=', target.seq)
        .execute(),
    );
    expect((await admin().audit.verify()).intact).toBe(true);
  });

  it('names the event after one deleted directly in the database', async () => {
    const { context } = use();
    const rows = await appendEvents(context, 5);
    const deleted = nth(rows, 2);
    await behindTheTriggers(context, (trx) =>
      trx.deleteFrom('audit_event').where('seq', '=', deleted.seq).execute(),
    );

    const broken = await admin().audit.verify();
    expect(broken).toMatchObject({
      intact: false,
      lastSeq: nth(rows, 1).seq,
      brokenAt: { seq: nth(rows, 3).seq, reason: 'prev_hash' },
    });

    await behindTheTriggers(context, (trx) => reinsert(trx, deleted));
    expect((await admin().audit.verify()).intact).toBe(true);
  });

  it.each<[Role | null, string]>([
    ['coordinator', 'FORBIDDEN'],
    ['clinician', 'FORBIDDEN'],
    ['auditor', 'FORBIDDEN'],
    [null, 'UNAUTHENTICATED'],
  ])('refuses %s, and audits the refusal as denied', async (role, code) => {
    const { context } = use();
    const actor = userActor(role);
    const services = context.servicesFor(actor);
    const patientId = randomUUID();
    await expect(services.audit.verify()).rejects.toMatchObject({ code });
    await expect(services.audit.search({ patientId }, { limit: 10 })).rejects.toMatchObject({
      code,
    });
    const denied = await context.db
      .selectFrom('audit_event')
      .select(['action', 'patient_id', 'outcome', 'ip'])
      .where('actor', '=', actor.label)
      .where('outcome', '=', 'denied')
      .orderBy('seq')
      .execute();
    expect(denied.slice(-2)).toEqual([
      { action: 'audit.verify', patient_id: null, outcome: 'denied', ip: '10.0.0.7' },
      { action: 'audit.search', patient_id: patientId, outcome: 'denied', ip: '10.0.0.7' },
    ]);
  });
});
