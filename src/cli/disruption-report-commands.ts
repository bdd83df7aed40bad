import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Context, Services } from '../context.ts';
import { editions, type Edition } from '../modules/reports/disruption-report.domain.ts';
import { reportFormats, type ReportFormat } from '../modules/reports/report-formats.ts';

/*
 * `continuity report disruption ID` writes the disruption continuity report, and `continuity
 * report verify FILE` tells whether a copy is one Continuity issued, unaltered.
 */

type WithServices = <T>(work: (services: Services, context: Context) => Promise<T>) => Promise<T>;

function asOfValue(value: string): Date | string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const instant = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(instant.getTime()))
    throw new InvalidArgumentError('must be a day (YYYY-MM-DD) or an ISO 8601 instant');
  return instant;
}

export function addDisruptionReportCommands(report: Command, withServices: WithServices) {
  report
    .command('disruption <id>')
    .description(
      'The disruption continuity report: what happened to the patients a disruption displaced.',
    )
    .addOption(
      new Option('--format <format>', 'html prints well; pdf needs Chromium; csv is per table')
        .choices(reportFormats)
        .default('html'),
    )
    .addOption(
      new Option('--edition <edition>', 'full names patients; deidentified withholds small cells')
        .choices(editions)
        .default('deidentified'),
    )
    .option(
      '--as-of <when>',
      'the data as of a day (its end) or an instant (default: now)',
      asOfValue,
    )
    .option('--table <id>', 'csv: one table (default: every table, a file each)')
    .option(
      '--out <path>',
      'the file to write (csv with every table: a directory); default: standard output',
    )
    .action(
      async (
        id: string,
        options: {
          format: ReportFormat;
          edition: Edition;
          asOf?: Date | string;
          table?: string;
          out?: string;
        },
      ) => {
        const table = options.format === 'csv' ? (options.table ?? 'all') : undefined;
        const { files } = await withServices((services) =>
          services.reports.disruption(id, {
            format: options.format,
            edition: options.edition,
            asOf: options.asOf,
            table,
          }),
        );
        if (options.out === undefined) {
          if (files.length > 1)
            throw new InvalidArgumentError(
              'every table of a csv report is a file of its own: give --out DIR, or --table ID',
            );
          if (options.format === 'pdf' && process.stdout.isTTY)
            throw new InvalidArgumentError('a pdf does not go to a terminal: give --out FILE');
          for (const file of files) process.stdout.write(file.body);
          return;
        }
        const toDirectory = files.length > 1;
        if (toDirectory) mkdirSync(options.out, { recursive: true });
        for (const file of files) {
          const path = toDirectory ? join(options.out, file.filename) : options.out;
          writeFileSync(path, file.body);
          process.stderr.write(
            `wrote ${path} (${file.body.length.toLocaleString('en-US')} bytes, sha256 ${file.fileSha256})\n`,
          );
        }
      },
    );

  report
    .command('verify <file>')
    .description('Whether a report file is one Continuity issued, unaltered (exit 1 if not).')
    .option('--json', 'print JSON', false)
    .action(async (file: string, options: { json: boolean }) => {
      const bytes = readFileSync(file);
      const result = await withServices((services) => services.reports.verify(bytes));
      const issued = result.issued;
      const text = [
        `${result.verdict.toUpperCase()}: ${result.explanation}`,
        `file sha256 ${result.fileSha256}`,
        ...(result.claimedContentSha256 === null
          ? []
          : [`content sha256 claimed ${result.claimedContentSha256}`]),
        ...(issued === null
          ? []
          : [
              `issued ${issued.at.toISOString()} to ${issued.actor} (audit event ${issued.seq}): ${issued.format ?? '?'}, ${issued.edition ?? '?'} edition, data as of ${issued.asOf ?? '?'}, disruption ${issued.disruptionId ?? '?'}`,
            ]),
      ].join('\n');
      process.stdout.write(`${options.json ? JSON.stringify(result) : text}\n`);
      if (result.verdict === 'altered' || result.verdict === 'unknown') process.exitCode = 1;
    });
}
