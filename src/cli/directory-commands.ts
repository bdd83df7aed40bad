import { readFile, stat, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { Context, Services } from '../context.ts';
import {
  directoryFormats,
  directoryLimits,
  entriesWord,
  maxBytesText,
  rowName,
  type DirectoryFormat,
  type ImportReport,
} from '../modules/outside-providers/directory.domain.ts';

/*
 * `continuity import providers FILE` and `continuity export providers`: the outside-provider
 * directory as CSV or Open Referral HSDS 3 JSON, through the same service as the API.
 */

type WithServices = <T>(work: (services: Services, context: Context) => Promise<T>) => Promise<T>;

const formatOption = () =>
  new Option('--format <format>', 'csv, or hsds (Open Referral HSDS 3 JSON)')
    .choices(directoryFormats)
    .makeOptionMandatory();

export function reportText(report: ImportReport): string {
  const counts = `${report.imported} new, ${report.updated} updated, ${report.unchanged} unchanged`;
  if (report.committed)
    return `Imported ${report.rows} ${entriesWord(report.format)} (${report.format}): ${counts}.`;
  return [
    ...report.rejected.map(({ row, problems }) => `${rowName(row)}: ${problems.join('; ')}`),
    `Nothing imported: ${report.rejected.length} of ${report.rows} ${entriesWord(report.format)} rejected (the others would be ${counts}).`,
  ].join('\n');
}

export function addDirectoryCommands(program: Command, withServices: WithServices): void {
  program
    .command('import')
    .description('Import data from a file.')
    .command('providers <file>')
    .description(
      'Add and update outside providers from a file, all or nothing: any bad row and nothing is written.',
    )
    .addOption(formatOption())
    .option('--json', 'print the report as JSON', false)
    .action(async (file: string, options: { format: DirectoryFormat; json: boolean }) => {
      const { size } = await stat(file);
      if (size > directoryLimits.maxBytes)
        throw new Error(
          `${file} is ${size} bytes; an import takes at most ${maxBytesText}. Split it.`,
        );
      const text = await readFile(file, 'utf8');
      const report = await withServices((services) =>
        services.outsideProviders.importDirectory(options.format, text),
      );
      process.stdout.write(`${options.json ? JSON.stringify(report) : reportText(report)}\n`);
      if (!report.committed) process.exitCode = 1;
    });

  program
    .command('export')
    .description('Export data to a file.')
    .command('providers')
    .description('Write the whole outside-provider directory, to standard output or a file.')
    .addOption(formatOption())
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (options: { format: DirectoryFormat; out?: string }) => {
      const text = await withServices((services) =>
        services.outsideProviders.exportDirectory(options.format),
      );
      if (options.out === undefined) process.stdout.write(text);
      else {
        await writeFile(options.out, text);
        process.stderr.write(`Wrote ${options.out}.\n`);
      }
    });
}
