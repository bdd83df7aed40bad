import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { describeEachEngine } from '../../test/harness.ts';
import { cliActor } from '../auth/policy.domain.ts';
import { walkChain } from './audit.service.ts';

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
