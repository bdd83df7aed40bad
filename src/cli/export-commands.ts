import type { Command } from 'commander';
import type { Context, Services } from '../context.ts';

/*
 * `continuity export fhir --out DIR`: the FHIR bulk export written to a folder, offline, through
 * the same service as `GET /fhir/R4/$export`.
 */

type WithServices = <T>(work: (services: Services, context: Context) => Promise<T>) => Promise<T>;

/** The `export` command, made by whoever registered first (the directory export adds one too). */
function exportCommand(program: Command): Command {
  return (
    program.commands.find((command) => command.name() === 'export') ??
    program.command('export').description('Export data to a file.')
  );
}

export function addExportCommands(program: Command, _withServices: WithServices): void {
  exportCommand(program)
    .command('fhir')
    .description('Write every FHIR resource as NDJSON files into a folder (being built).')
    .requiredOption('--out <dir>', 'the folder to write into')
    .action(() => {
      throw new Error('The FHIR export is not ready yet.');
    });
}
