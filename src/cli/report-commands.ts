import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Context, Services } from '../context.ts';
import type { Rate } from '../modules/timely-access/timely-access.service.ts';
import { groupings, type Grouping } from '../modules/timely-access/timely-access.repository.ts';

/* `continuity report …`: the same figures as the compliance API, as text, CSV or JSON. */

type WithServices = <T>(work: (services: Services, context: Context) => Promise<T>) => Promise<T>;

function instantOrDate(value: string): Date {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(`${value}T00:00:00Z`)
    : new Date(value);
  if (Number.isNaN(parsed.getTime()))
    throw new InvalidArgumentError('must be a date (YYYY-MM-DD) or an ISO 8601 instant');
  return parsed;
}

const csvCell = (value: string | number | boolean | null): string => {
  const text = value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function ratesCsv(rates: readonly Rate[]): string {
  const header = [
    'standard',
    'group',
    'met',
    'missed',
    'denominator',
    'rate',
    'excepted',
    'pending',
    'below_threshold',
    'definition',
  ];
  const lines = rates.map((r) =>
    [
      r.standard,
      r.group,
      r.met,
      r.missed,
      r.denominator,
      r.rate === null ? null : r.rate.toFixed(4),
      r.excepted,
      r.pending,
      r.belowThreshold,
      r.definition,
    ]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\n');
}

function ratesText(rates: readonly Rate[]): string {
  if (rates.length === 0) return 'No requests in the period.';
  return rates
    .map((r) => {
      const rate = r.rate === null ? 'n/a' : `${(r.rate * 100).toFixed(1)}%`;
      const flag = r.belowThreshold ? '  BELOW 70%' : '';
      return `${r.standard.padEnd(28)} ${r.group.padEnd(36)} ${String(r.met).padStart(7)} / ${String(r.denominator).padEnd(7)} ${rate.padStart(6)}  excepted ${r.excepted}, pending ${r.pending}${flag}`;
    })
    .join('\n');
}

export function addReportCommands(program: Command, withServices: WithServices) {
  const report = program.command('report').description('Compliance reports.');
  report
    .command('referrals')
    .description('Closed-loop referral measures for referrals sent in [from, to).')
    .requiredOption('--from <date>', 'first day (or instant) of the period', instantOrDate)
    .requiredOption('--to <date>', 'the day (or instant) after the period', instantOrDate)
    .option('--disruption <id>', 'only the patients this disruption displaced')
    .option('--json', 'print JSON', false)
    .action(async (options: { from: Date; to: Date; disruption?: string; json: boolean }) => {
      const m = await withServices((services) =>
        services.referrals.metrics({
          from: options.from,
          to: options.to,
          disruptionId: options.disruption,
        }),
      );
      const line = (
        label: string,
        x: { numerator: number; denominator: number; rate: number | null },
      ) =>
        `${label.padEnd(26)} ${x.numerator} / ${x.denominator}${x.rate === null ? '' : ` (${(x.rate * 100).toFixed(1)}%)`}`;
      const text = [
        `Referrals sent: ${m.sent}`,
        line('accepted', m.accepted),
        line('first visit attended', m.completed),
        line('seen by the deadline', m.completedInTime),
        `median business days to first visit: ${m.medianBusinessDaysToFirstVisit ?? 'n/a'}`,
      ].join('\n');
      process.stdout.write(`${options.json ? JSON.stringify(m) : text}\n`);
    });
  report
    .command('timely-access')
    .description('Timely-access rates for requests in [from, to): numerator / denominator, rate.')
    .requiredOption('--from <date>', 'first day (or instant) of the period', instantOrDate)
    .requiredOption('--to <date>', 'the day (or instant) after the period', instantOrDate)
    .addOption(
      new Option('--group-by <grouping>', 'what to group by')
        .choices(groupings)
        .default('standard'),
    )
    .option('--disruption <id>', 'only the patients this disruption displaced')
    .option('--csv', 'print CSV', false)
    .option('--json', 'print JSON', false)
    .action(
      async (options: {
        from: Date;
        to: Date;
        groupBy: Grouping;
        disruption?: string;
        csv: boolean;
        json: boolean;
      }) => {
        const rates = await withServices((services) =>
          services.timelyAccess.rates(
            { from: options.from, to: options.to, disruptionId: options.disruption },
            options.groupBy,
          ),
        );
        const text = options.json
          ? JSON.stringify(rates)
          : options.csv
            ? ratesCsv(rates)
            : ratesText(rates);
        process.stdout.write(`${text}\n`);
      },
    );
}
