import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { buildActor } from '../../test/factories.ts';
import { auditEvents, describeEachEngine, rowCounts } from '../../test/harness.ts';
import { cliActor } from '../auth/policy.domain.ts';
import { generateRegion } from './region.domain.ts';
import { seedTables, type TableCounts } from './rows.domain.ts';
import type { SeedProgress } from './seed.service.ts';

const operator = cliActor('test');
const seeding = (context: Context) => context.servicesFor(operator).seed;

// The tests of a suite share one database and run in order: failed seed, seed, refusal, replace.
describeEachEngine('seed service', (use) => {
  const seed = 7;
  let expected: TableCounts;

  function seededCounts(counts: Record<string, number>) {
    return Object.fromEntries(seedTables.map((table) => [table, counts[table]]));
  }

  it('writes nothing when the seed fails part-way', async () => {
    const { context } = use();
    const failing = seeding(context).seed({
      scale: 'demo',
      seed,
      onProgress: ({ done }) => {
        if (done > 5_000) throw new Error('interrupted');
      },
    });
    await expect(failing).rejects.toThrow('interrupted');
    const counts = await rowCounts(context);
    expect(Object.values(seededCounts(counts)).every((n) => n === 0)).toBe(true);
    expect(await auditEvents(context, { action: 'data.seed' })).toEqual([]);
  });

  it('seeds the demo region with exactly the generator’s rows, reporting progress', async () => {
    const { context } = use();
    expected = generateRegion({
      scale: 'demo',
      seed,
      now: context.clock.now(),
      timeZone: context.config.TZ_ORG,
    }).counts;
    const progress: SeedProgress[] = [];
    const result = await seeding(context).seed({
      scale: 'demo',
      seed,
      onProgress: (p) => progress.push(p),
    });
    expect(result.counts).toEqual(expected);
    expect(seededCounts(await rowCounts(context))).toEqual(expected);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(progress.at(-1)).toMatchObject({ done: total, total });
    expect(progress.every((p, i) => i === 0 || p.done > (progress[i - 1]?.done ?? 0))).toBe(true);
    expect(await seeding(context).hasCatalogue()).toBe(true);
  });

  it('records the seed in the audit trail under the operator’s name, with counts only', async () => {
    const { context } = use();
    expect(await auditEvents(context, { action: 'data.seed' })).toEqual([
      expect.objectContaining({
        actor: 'cli:test',
        entity: 'region',
        outcome: 'allowed',
        detail: { scale: 'demo', seed, replaced: false, counts: expected },
      }),
    ]);
  });

  it('lets only the data:seed permission seed or ask about the catalogue', async () => {
    const { context } = use();
    const before = await rowCounts(context);
    const coordinator = context.servicesFor(buildActor({ role: 'coordinator' })).seed;
    await expect(coordinator.seed({ scale: 'demo', seed: 9, replace: true })).rejects.toMatchObject(
      { code: 'FORBIDDEN' },
    );
    await expect(coordinator.hasCatalogue()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await rowCounts(context)).toEqual(before);
  });

  it('refuses a second seed without replace and changes nothing', async () => {
    const { context } = use();
    const before = await rowCounts(context);
    await expect(seeding(context).seed({ scale: 'demo', seed: 8 })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await rowCounts(context)).toEqual(before);
  });

  it('replaces the catalogue when asked, giving the same counts', async () => {
    const { context } = use();
    const result = await seeding(context).seed({ scale: 'demo', seed, replace: true });
    expect(result.counts).toEqual(expected);
    expect(seededCounts(await rowCounts(context))).toEqual(expected);
    const events = await auditEvents(context, { action: 'data.seed' });
    expect(events.map((event) => event.detail.replaced)).toEqual([false, true]);
  });

  it('rejects an unknown scale or a fractional seed', async () => {
    const { context } = use();
    await expect(
      seeding(context).seed({ scale: 'country' as 'demo', seed: 1, replace: true }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      seeding(context).seed({ scale: 'demo', seed: 1.5, replace: true }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
