import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Context, Services } from '../context.ts';
import { disruptionKinds, type DisruptionKind } from '../modules/disruptions/disruptions.domain.ts';
import type { Impact } from '../modules/disruptions/disruptions.domain.ts';
import { proposalOptions, type MatchRun } from '../modules/matching/plan.domain.ts';
import { riskTiers } from '../modules/matching/risk.domain.ts';

/*
 * `continuity disruption …` and `continuity rematch`: the same services as the API, as the
 * operator. Text output is aggregate only (counts, never a patient); --json prints what the API
 * would answer.
 */

type WithServices = <T>(work: (services: Services, context: Context) => Promise<T>) => Promise<T>;
type Print = (json: boolean, value: unknown, text: string) => void;

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
function date(value: string): string {
  if (!datePattern.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new InvalidArgumentError('must be a date, YYYY-MM-DD');
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

const count = (n: number) => n.toLocaleString('en-US');

function impactText(title: string, impact: Impact): string {
  const tiers = riskTiers
    .map((t) => `${t.replace('_', ' ')} ${count(impact.counts.byTier[t])}`)
    .join(', ');
  const overdue = impact.patients.filter((p) => p.overdue).length;
  return [
    title,
    `Sessions: ${count(impact.sessions.toCancel)} to cancel, ${count(impact.sessions.alreadyCancelled)} already cancelled, in ${count(impact.sessions.groups.length)} groups`,
    `Displaced patients: ${count(impact.counts.patients)} (${tiers}); ${count(overdue)} already past their deadline`,
    `By specialty: ${impact.counts.bySpecialty.map((s) => `${s.specialty} ${count(s.patients)}`).join(', ') || 'none'}`,
    `By service area: ${impact.counts.byServiceArea.map((a) => `${a.name} ${count(a.patients)}`).join(', ') || 'none'}`,
  ].join('\n');
}

const optionLabels = {
  group: 'equivalent group',
  outside_provider: 'outside provider',
  individual: 'individual',
  unmatched: 'unmatched',
} as const;

export function planText(run: MatchRun, title: string): string {
  const { stats } = run;
  const line = (counts: Record<(typeof proposalOptions)[number], number>) =>
    proposalOptions.map((o) => `${optionLabels[o]} ${count(counts[o])}`).join(' · ');
  const tiers = riskTiers
    .filter((t) => proposalOptions.some((o) => stats.byTier[t][o] > 0))
    .map((t) => `  ${t.replace('_', ' ').padEnd(16)} ${line(stats.byTier[t])}`);
  const shortfall =
    stats.shortfall.length === 0
      ? ['Shortfall: none; every patient with a candidate has a place.']
      : ['Shortfall:', ...stats.shortfall.map((s) => `  ${s.text}`)];
  return [
    `Plan ${run.id} for ${title}: ${count(stats.patients)} patients (${count(stats.alreadyPlaced)} already placed), ${stats.optimal ? 'proven optimal' : 'NOT proven optimal'}, solved in ${count(run.solveMs)} ms`,
    `  ${line(stats.byOption)}`,
    'By risk tier:',
    ...tiers,
    ...shortfall,
  ].join('\n');
}

export function addRematchCommands(program: Command, withServices: WithServices, print: Print) {
  const disruption = program.command('disruption').description('Strikes, leaves and closures.');

  disruption
    .command('create')
    .description('Create a draft disruption.')
    .addOption(
      new Option('--kind <kind>', 'what happened').choices(disruptionKinds).makeOptionMandatory(),
    )
    .requiredOption('--title <title>', 'a name people will recognize')
    .requiredOption('--starts-on <date>', 'its first day, YYYY-MM-DD', date)
    .option('--ends-on <date>', 'its last day, YYYY-MM-DD (default: open-ended)', date)
    .option(
      '--clinician <id>',
      'a clinician in scope (repeatable, or comma-separated)',
      collect,
      [],
    )
    .option('--location <id>', 'a location in scope (repeatable)', collect, [])
    .option('--group <id>', 'a group in scope (repeatable)', collect, [])
    .option('--service-area <id>', 'a service area in scope (repeatable)', collect, [])
    .option('--json', 'print the disruption as JSON', false)
    .action(
      async (options: {
        kind: DisruptionKind;
        title: string;
        startsOn: string;
        endsOn?: string;
        clinician: string[];
        location: string[];
        group: string[];
        serviceArea: string[];
        json: boolean;
      }) => {
        const created = await withServices((services) =>
          services.disruptions.create({
            kind: options.kind,
            title: options.title,
            startsOn: options.startsOn,
            endsOn: options.endsOn ?? null,
            scope: {
              clinicianIds: options.clinician,
              locationIds: options.location,
              groupIds: options.group,
              serviceAreaIds: options.serviceArea,
            },
          }),
        );
        print(options.json, created, `Created draft disruption ${created.id}: ${created.title}.`);
      },
    );

  disruption
    .command('list')
    .description('List disruptions.')
    .addOption(new Option('--status <status>', 'only these').choices(['draft', 'active', 'ended']))
    .option('--json', 'print them as JSON', false)
    .action(async (options: { status?: 'draft' | 'active' | 'ended'; json: boolean }) => {
      const items = await withServices(async (services) => {
        const all = [];
        let cursor: string | undefined;
        do {
          const page = await services.disruptions.list(
            { status: options.status },
            { cursor, limit: 500 },
          );
          all.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        return all;
      });
      const text = items
        .map(
          (d) => `${d.id}  ${d.status.padEnd(6)}  ${d.startsOn} – ${d.endsOn ?? '…'}  ${d.title}`,
        )
        .join('\n');
      print(options.json, items, text || 'No disruptions.');
    });

  disruption
    .command('simulate <id>')
    .description('Show the impact without changing anything.')
    .option('--json', 'print the whole impact (patients included) as JSON', false)
    .action(async (id: string, options: { json: boolean }) => {
      const result = await withServices((services) => services.disruptions.simulate(id));
      print(options.json, result, impactText(result.disruption.title, result.impact));
    });

  disruption
    .command('apply <id>')
    .description('Cancel the sessions in scope, in one transaction; again changes nothing.')
    .option('--json', 'print the result as JSON', false)
    .action(async (id: string, options: { json: boolean }) => {
      const result = await withServices((services) => services.disruptions.apply(id));
      print(
        options.json,
        result,
        `Applied ${result.disruption.title}: ${count(result.sessionsCancelled)} sessions cancelled.`,
      );
    });

  disruption
    .command('end <id>')
    .description('End an active disruption; the sessions after its last day resume.')
    .option('--on <date>', 'its last day (default: today)', date)
    .option('--json', 'print the result as JSON', false)
    .action(async (id: string, options: { on?: string; json: boolean }) => {
      const result = await withServices((services) => services.disruptions.end(id, options.on));
      print(
        options.json,
        result,
        `Ended ${result.disruption.title} on ${result.disruption.endsOn ?? ''}: ${count(result.sessionsResumed)} sessions resume.`,
      );
    });

  program
    .command('rematch')
    .description('Plan the displaced cohort of a disruption at once; print the summary.')
    .requiredOption('--disruption <id>', 'the disruption')
    .option('--json', 'print the plan run as JSON', false)
    .action(async (options: { disruption: string; json: boolean }) => {
      const { run, title } = await withServices(async (services) => ({
        run: await services.matching.rematch(options.disruption),
        title: (await services.disruptions.get(options.disruption)).title,
      }));
      print(options.json, run, planText(run, title));
    });
}
