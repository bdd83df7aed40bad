import { mkdir, readdir } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Context, Services } from '../context.ts';
import type { Manifest } from '../modules/fhir/export.domain.ts';
import type { ExportProgress, ExportService } from '../modules/fhir/export.service.ts';

/*
 * `continuity export fhir --out DIR`: the FHIR bulk export written to a folder, offline, through
 * the same service as `GET /fhir/R4/$export`, as the operator.
 */

type WithServices = <T>(work: (services: Services, context: Context) => Promise<T>) => Promise<T>;

export interface ExportFhirOptions {
  out: string;
  /** Comma list of resource types (default: every type served). */
  type?: string;
  /** Only resources changed at or after this instant. */
  since?: string;
  /** Only the data of this therapy group's members. */
  group?: string;
}

/**
 * Writes the export into `options.out` (made if missing; refused when it already holds NDJSON
 * files, so an older export's files never mix with this one's) and returns the manifest.
 */
export async function exportFhir(
  service: ExportService,
  options: ExportFhirOptions,
  onProgress?: (progress: ExportProgress) => void,
): Promise<Manifest> {
  await mkdir(options.out, { recursive: true });
  const existing = (await readdir(options.out)).filter((name) => name.endsWith('.ndjson'));
  if (existing.length > 0)
    throw new Error(`${options.out} already holds NDJSON files; choose an empty folder.`);
  return service.exportTo(
    options.out,
    {
      ...(options.type === undefined ? {} : { _type: options.type }),
      ...(options.since === undefined ? {} : { _since: options.since }),
    },
    options.group ?? null,
    onProgress,
  );
}

/** A bar over the types on stderr, with the resources written of the current one. */
function typeProgressBar() {
  const bar = new cliProgress.SingleBar(
    {
      format: 'Exporting FHIR [{bar}] {value}/{total} types | {type}: {written} resources',
      stream: process.stderr,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: ({ type, typesDone, types, written }: ExportProgress) => {
      const payload = { type, written: written.toLocaleString('en-US') };
      if (!started) {
        bar.start(types, typesDone, payload);
        started = true;
      }
      bar.update(typesDone, payload);
    },
    /** Shows the bar full: every type written. */
    complete: () => {
      if (started) bar.update(bar.getTotal());
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** The `export` command, made by whoever registered first (the directory export adds one too). */
function exportCommand(program: Command): Command {
  return (
    program.commands.find((command) => command.name() === 'export') ??
    program.command('export').description('Export data to a file.')
  );
}

export function addExportCommands(program: Command, withServices: WithServices): void {
  exportCommand(program)
    .command('fhir')
    .description(
      'Write FHIR resources as NDJSON files (one per type, as the Bulk Data export does) into a folder.',
    )
    .requiredOption(
      '--out <dir>',
      'the folder to write into (made if missing; must hold no .ndjson)',
    )
    .option('--type <types>', 'comma list of resource types (default: all)')
    .option('--since <instant>', 'only resources changed at or after this instant (ISO 8601)')
    .option('--group <id>', "only the data of this therapy group's members (Group export)")
    .option('--json', 'print the manifest as JSON', false)
    .action(async (options: ExportFhirOptions & { json: boolean }) => {
      const bar = typeProgressBar();
      const manifest = await withServices(async (services) => {
        const service = services.fhirExport;
        try {
          const written = await exportFhir(service, options, bar.update);
          bar.complete();
          return written;
        } finally {
          bar.stop();
        }
      });
      const total = manifest.output.reduce((sum, o) => sum + o.count, 0);
      process.stdout.write(
        options.json
          ? `${JSON.stringify(manifest)}\n`
          : `${[
              ...manifest.output.map(
                (o) => `${o.type.padEnd(18)} ${o.count.toLocaleString('en-US').padStart(10)}`,
              ),
              `Wrote ${total.toLocaleString('en-US')} resources in ${manifest.output.length} files into ${options.out}.`,
            ].join('\n')}\n`,
      );
    });
}
