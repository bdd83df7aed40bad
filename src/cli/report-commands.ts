import { InvalidArgumentError, Option, type Command } from 'commander';
import { addDisruptionReportCommands } from './disruption-report-commands.ts';
import type { Context, Services } from '../context.ts';
import { isoWeekOf } from '../modules/workload/workload.domain.ts';
import { localDateOf } from '../shared/clock.ts';
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

function quarterOf(value: string): { year: number; quarter: 1 | 2 | 3 | 4 } {
  const match = /^(\d{4})Q([1-4])$/.exec(value);
  if (!match) throw new InvalidArgumentError('must be a quarter like 2025Q1');
  return { year: Number(match[1]), quarter: Number(match[2]) as 1 | 2 | 3 | 4 };
}

export function addReportCommands(program: Command, withServices: WithServices) {
  const report = program.command('report').description('Compliance reports.');
  addDisruptionReportCommands(report, withServices);
  report
    .command('workload')
    .description('Clinician workload for an ISO week, e.g. 2025-W10.')
    .option('--week <week>', 'the ISO week (default: this week)')
    .option('--area <id>', 'one service area')
    .option('--json', 'print JSON', false)
    .action(async (options: { week?: string; area?: string; json: boolean }) => {
      const result = await withServices((services, context) =>
        services.workload.week({
          week: options.week ?? isoWeekOf(localDateOf(context.clock.now(), context.config.TZ_ORG)),
          serviceAreaId: options.area,
        }),
      );
      const text = options.json
        ? JSON.stringify(result)
        : [
            `Week ${result.week} (from ${result.monday}); protected-time target ${result.protectedTarget} h`,
            ...result.clinicians.map(
              (c) =>
                `  ${c.name.padEnd(28)} direct ${c.directCareHours.toFixed(1).padStart(5)} h  protected ${c.protectedHours.toFixed(1).padStart(5)} h${c.belowProtectedTarget ? ' BELOW TARGET' : ''}${c.busyDays.length > 0 ? `  busy days: ${c.busyDays.join(', ')}` : ''}`,
            ),
          ].join('\n');
      process.stdout.write(`${text}\n`);
    });
  report
    .command('grievances')
    .description('Grievances pending or unresolved 30 days or more at the end of a quarter.')
    .requiredOption('--quarter <quarter>', 'the quarter, e.g. 2025Q1', quarterOf)
    .option('--csv', 'print CSV', false)
    .option('--json', 'print JSON', false)
    .action(
      async (options: {
        quarter: { year: number; quarter: 1 | 2 | 3 | 4 };
        csv: boolean;
        json: boolean;
      }) => {
        const result = await withServices((services) =>
          services.grievances.quarterly(options.quarter.year, options.quarter.quarter),
        );
        const text = options.json
          ? JSON.stringify(result)
          : options.csv
            ? [
                'line_of_business,type,pending_with,count',
                ...result.rows.map((r) =>
                  [r.lineOfBusiness, r.type, r.pendingWith, r.count].map(csvCell).join(','),
                ),
              ].join('\n')
            : [
                `Grievances pending or unresolved 30 days or more at ${result.asOf.toISOString().slice(0, 10)}: ${result.total}`,
                ...result.rows.map(
                  (r) =>
                    `  ${r.lineOfBusiness.padEnd(11)} ${r.type.padEnd(20)} pending with ${r.pendingWith.padEnd(14)} ${r.count}`,
                ),
              ].join('\n');
        process.stdout.write(`${text}\n`);
      },
    );
  report
    .command('referrals')
    .description('Closed-loop referral measures for referrals sent in [from, to).')
    .option(
      '--from <date>',
      'first day (or instant) of the period (default: 30 days ago)',
      instantOrDate,
    )
    .option('--to <date>', 'the day (or instant) after the period (default: now)', instantOrDate)
    .option('--disruption <id>', 'only the patients this disruption displaced')
    .option('--json', 'print JSON', false)
    .action(async (options: { from?: Date; to?: Date; disruption?: string; json: boolean }) => {
      const m = await withServices((services, context) => {
        const to = options.to ?? context.clock.now();
        return services.referrals.metrics({
          from: options.from ?? new Date(to.getTime() - 30 * 86_400_000),
          to,
          disruptionId: options.disruption,
        });
      });
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
