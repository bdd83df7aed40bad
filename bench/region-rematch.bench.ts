/*
 * Re-matching end to end on the region dataset, on server PostgreSQL: seeds the region into a
 * fresh schema, puts half the clinicians on strike region-wide for four weeks, and times each
 * step from simulating to a committed plan, as a coordinator would run them.
 *
 *   npx tsx bench/region-rematch.bench.ts [--scale region|demo] [--seed 1]
 *                                          [--url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * The schema is dropped afterwards.
 */
import { parseArgs } from 'node:util';
import type { Scale } from '../src/modules/seed/scale.domain.ts';
import { localDateOf } from '../src/shared/clock.ts';
import { parseConfig } from '../src/shared/config.ts';
import { regionStrike, withRegion } from './region-schema.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'region' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const out = (line: string) => process.stdout.write(`${line}\n`);
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  out(`${label.padEnd(34)} ${((performance.now() - started) / 1000).toFixed(2).padStart(7)} s`);
  return result;
}

const options = {
  url: values.url,
  scale: values.scale as Scale,
  seed: Number(values.seed),
  prefix: 'bench_rematch',
  out,
};
out(`Re-matching end to end: scale ${options.scale}, seed ${values.seed}, Node ${process.version}`);
await withRegion(options, async (region) => {
  const { services } = region;
  const today = localDateOf(new Date(), parseConfig({}).TZ_ORG);
  const { strike, striking, active } = await regionStrike(region, today, null);
  out(
    `strike of ${striking.toLocaleString('en-US')} of ${active.toLocaleString('en-US')} active clinicians, from ${today}, open-ended`,
  );

  const { impact } = await timed('simulate', () => services.disruptions.simulate(strike.id));
  out(
    `  ${impact.sessions.toCancel.toLocaleString('en-US')} sessions in ${impact.sessions.groups.length.toLocaleString('en-US')} groups; ${impact.counts.patients.toLocaleString('en-US')} displaced patients`,
  );
  await timed('apply', () => services.disruptions.apply(strike.id));
  const run = await timed('rematch (plan, all steps)', () => services.matching.rematch(strike.id));
  const s = run.stats;
  out(
    `  solver ${run.solveMs} ms on ${s.patients.toLocaleString('en-US')} patients × ${s.options.toLocaleString('en-US')} options, ${s.edges.toLocaleString('en-US')} edges; optimal ${s.optimal}`,
  );
  const t = s.timings;
  out(
    `  load ${t.loadMs} ms · candidates ${t.candidatesMs} ms · solve ${t.solveMs} ms · explain ${t.explainMs} ms; heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`,
  );
  out(
    `  group ${s.byOption.group} · outside ${s.byOption.outside_provider} · individual ${s.byOption.individual} · unmatched ${s.byOption.unmatched}; ${s.shortfall.length} shortfall lines`,
  );
  const first = await timed('review: first page of proposals', () =>
    services.matching.listProposals(run.id, {}, { limit: 50 }),
  );
  out(`  ${first.items.length} proposals on the first page`);
  await timed('review: approve all', () => services.matching.decideMany(run.id, 'approved', null));
  const committed = await timed('commit', () => services.matching.commit(run.id));
  out(
    `  ${committed.committed.enrollments} enrollments, ${committed.committed.referrals} referrals, ${committed.committed.appointments} appointments; ${committed.conflicts.length} conflicts`,
  );
});
