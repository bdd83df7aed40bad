import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { describeEachEngine } from '../../test/harness.ts';
import { cliActor } from '../auth/policy.domain.ts';
import { appendAuditEvents } from './audit.repository.ts';
import { walkChain } from './audit.service.ts';
import { createAuditWriter } from './audit-writer.ts';

/** Records `count` reads at once, each as a request of its own would; settles like Promise.allSettled. */
function recordConcurrently(context: Context, label: string, details: Record<string, unknown>[]) {
  const access = context.accessFor(cliActor(label));
  return Promise.allSettled(
    details.map((detail) =>
      access.record([
        { action: 'patient.read', entity: 'patient', entityId: randomUUID(), detail },
      ]),
    ),
  );
}

/** The transactions that wrote `label`'s events: PostgreSQL's xmin is the writing transaction. */
async function writers(
  context: Context,
  label: string,
): Promise<{ events: number; xacts: number }> {
  const { rows } = await sql<{ events: number; xacts: number }>`
    select count(*)::int as events, count(distinct xmin::text)::int as xacts
      from audit_event where actor = ${`cli:${label}`}`.execute(context.db);
  const row = rows[0];
  if (!row) throw new Error('count returns a row');
  return row;
}

describeEachEngine('audit writer', (use) => {
  it('commits the events of concurrent requests together, and the chain holds', async () => {
    const { context } = use();
    const label = `group-${randomUUID()}`;
    const settled = await recordConcurrently(
      context,
      label,
      Array.from({ length: 40 }, (_, i) => ({ i })),
    );
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    const { events, xacts } = await writers(context, label);
    expect(events).toBe(40);
    // The first request's events start a transaction; those that arrive meanwhile share the next.
    expect(xacts).toBeLessThan(40);
    expect((await walkChain(context.db)).intact).toBe(true);
  });

  it("chains two processes' writers and a change's transaction appending at once", async () => {
    const { context } = use();
    const label = `two-${randomUUID()}`;
    // Each writer keeps the last hash it wrote: after the other's appends it must hash again.
    const processes = [createAuditWriter(context.db), createAuditWriter(context.db)];
    const event = (i: number) => ({
      at: new Date(),
      actor: `cli:${label}`,
      action: 'patient.read',
      entity: 'patient',
      entityId: randomUUID(),
      patientId: null,
      entityIds: null,
      patientIds: null,
      ip: null,
      outcome: 'allowed' as const,
      detail: { i },
    });
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => processes[i % 2]?.append([event(i), event(i)])),
      ...Array.from({ length: 5 }, (_, i) =>
        context.db.transaction().execute((trx) => appendAuditEvents(trx, [event(100 + i)])),
      ),
    ]);
    expect((await writers(context, label)).events).toBe(65);
    expect((await walkChain(context.db)).intact).toBe(true);
  });

  it("fails only the request whose events the database refuses, not the others'", async () => {
    const { context } = use();
    const label = `refused-${randomUUID()}`;
    // jsonb refuses a NUL character: the one failure a caller's own events can cause.
    const details = Array.from({ length: 12 }, (_, i) => (i === 5 ? { note: 'a\u0000b' } : { i }));
    const settled = await recordConcurrently(context, label, details);
    expect(settled.map((s) => s.status)).toEqual(
      details.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')),
    );
    expect((await writers(context, label)).events).toBe(11);
    expect((await walkChain(context.db)).intact).toBe(true);
  });
});
