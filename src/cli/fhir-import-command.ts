import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Command } from 'commander';
import type { Context, Services } from '../context.ts';
import { servedTypes } from '../modules/fhir/fhir.domain.ts';
import { defaultChunkSize, importBundles } from '../modules/fhir/import-chunks.domain.ts';
import { maxEntries } from '../modules/fhir/import.domain.ts';
import { isAppError } from '../shared/errors.ts';
import { progressBar } from './progress.ts';

/*
 * `continuity import fhir FILE|DIR`: FHIR Bundles (.json) and NDJSON files (.ndjson, one resource
 * a line, as a bulk export writes them), through the same import service as POST /fhir/R4.
 * A Bundle file is imported as it is; NDJSON goes in transaction Bundles of 500, in write order,
 * each all or nothing. Importing again is safe: what is already there is left unchanged.
 */

type WithServices = <T>(work: (services: Services, context: Context) => Promise<T>) => Promise<T>;

export interface Tally {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  /** Unused elements and how often each was left out. */
  unused: Map<string, number>;
}

function tallyInto(tally: Tally, response: Bundle): void {
  for (const entry of response.entry ?? []) {
    const issues = entry.response?.outcome?.issue ?? [];
    const codes = issues.map((i) => i.details?.coding?.[0]?.code);
    if (codes.includes('TYPE_NOT_USED') || codes.includes('NEEDS_ROLE')) tally.skipped += 1;
    else if (entry.response?.status.startsWith('201')) tally.created += 1;
    else if (codes.includes('UPDATED')) tally.updated += 1;
    else tally.unchanged += 1;
    for (const issue of issues) {
      const code = issue.details?.coding?.[0]?.code;
      const element = issue.expression?.[0];
      const path =
        code === 'TYPE_NOT_USED'
          ? `${element ?? '?'} (type)`
          : code === 'NOT_USED'
            ? element
            : undefined;
      if (path) tally.unused.set(path, (tally.unused.get(path) ?? 0) + 1);
    }
  }
}

/** Says which Bundle of an input failed, and why, in one line. */
async function importing(services: Services, bundle: Bundle, where: string): Promise<Bundle> {
  try {
    return await services.fhirImport.importBundle(bundle);
  } catch (error) {
    if (!isAppError(error)) throw error;
    const issues =
      (error.details as { issues?: { field: string; problem: string }[] } | undefined)?.issues ??
      [];
    const first = issues
      .slice(0, 3)
      .map(
        (i) =>
          `${i.field.replace(/^Bundle\.entry\[(\d+)\]/, (_m, n: string) => `resource ${bundle.entry?.[Number(n)]?.resource?.resourceType ?? ''}/${bundle.entry?.[Number(n)]?.resource?.id ?? '?'}`)}: ${i.problem}`,
      )
      .join('; ');
    throw new Error(
      `${where}: ${error.code}: ${first || error.message} (Bundles before this one were imported; run again after fixing: what is there stays unchanged).`,
    );
  }
}

/** The files to read: FILE, or every .json and .ndjson under DIR, NDJSON in write order. */
async function inputsOf(
  path: string,
): Promise<{ bundles: string[]; ndjson: string[]; bytes: number }> {
  const info = await stat(path);
  const files = info.isDirectory()
    ? (await readdir(path, { recursive: true })).map((name) => join(path, name)).sort()
    : [path];
  const bundles = files.filter((f) => f.endsWith('.json'));
  const ndjson = files.filter((f) => f.endsWith('.ndjson'));
  if (bundles.length + ndjson.length === 0)
    throw new Error(`${path} holds no .json or .ndjson file.`);
  const rank = async (file: string) => {
    const first = await firstLine(file);
    const type = /"resourceType"\s*:\s*"([A-Za-z]+)"/.exec(first)?.[1] ?? '';
    const i = (servedTypes as readonly string[]).indexOf(type);
    return i < 0 ? servedTypes.length : i;
  };
  const ranks = new Map(await Promise.all(ndjson.map(async (f) => [f, await rank(f)] as const)));
  ndjson.sort((a, b) => (ranks.get(a) ?? 0) - (ranks.get(b) ?? 0) || a.localeCompare(b));
  let bytes = 0;
  for (const file of [...bundles, ...ndjson]) bytes += (await stat(file)).size;
  return { bundles, ndjson, bytes };
}

async function firstLine(file: string): Promise<string> {
  const lines = createInterface({ input: createReadStream(file, { end: 64 * 1024 }) });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

/** The resources of NDJSON files, one a line; `onBytes` hears how far the reading got. */
async function* ndjsonResources(
  files: readonly string[],
  onBytes: (n: number, file: string) => void,
) {
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let number = 0;
    for await (const line of lines) {
      number += 1;
      onBytes(Buffer.byteLength(line) + 1, file);
      if (line.trim() === '') continue;
      let resource: unknown;
      try {
        resource = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${number} is not JSON.`);
      }
      if (typeof resource !== 'object' || resource === null || !('resourceType' in resource))
        throw new Error(`${file}:${number} is not a FHIR resource.`);
      yield resource as Resource;
    }
  }
}

/**
 * Imports FILE or every .json and .ndjson under DIR: Bundle files as they are, NDJSON in
 * transaction Bundles of 500 in write order. `onProgress` hears the bytes read so far. Throws an
 * Error naming the file when a Bundle is refused (the ones before it stay imported).
 */
export async function importFhirPath(
  services: Services,
  path: string,
  onProgress: (done: number, total: number, file: string) => void = () => undefined,
): Promise<Tally> {
  const { bundles, ndjson, bytes } = await inputsOf(path);
  const tally: Tally = { created: 0, updated: 0, unchanged: 0, skipped: 0, unused: new Map() };
  let done = 0;
  let current = path;
  const advance = (n: number, file: string) => {
    done += n;
    current = file;
    onProgress(Math.min(done, bytes), bytes, file);
  };
  for (const file of bundles) {
    const text = await readFile(file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${file} is not JSON.`);
    }
    const given = parsed as Resource;
    const bundle = given.resourceType === 'Bundle' ? given : undefined;
    const inputs =
      (bundle?.type === 'transaction' || bundle?.type === 'batch') &&
      (bundle.entry?.length ?? 0) <= maxEntries
        ? [{ bundle }]
        : importBundles(
            bundle
              ? (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []))
              : [given],
            defaultChunkSize,
          );
    for await (const { bundle } of inputs) {
      tallyInto(tally, await importing(services, bundle, file));
    }
    advance(Buffer.byteLength(text), file);
  }
  for await (const { bundle } of importBundles(ndjsonResources(ndjson, advance))) {
    tallyInto(tally, await importing(services, bundle, current));
  }
  return tally;
}

export function addFhirImportCommand(program: Command, withServices: WithServices): void {
  const parent =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('Import data from a file.');
  parent
    .command('fhir <path>')
    .description(
      'Create and update the catalogue, patients and sessions from FHIR R4 Bundles (.json) or NDJSON (.ndjson) in a file or a directory; importing again changes nothing.',
    )
    .option('--json', 'print the summary as JSON', false)
    .action(async (path: string, options: { json: boolean }) => {
      const bar = progressBar('Importing FHIR');
      let tally: Tally;
      try {
        tally = await withServices((services) =>
          importFhirPath(services, path, (done, total, file) => {
            bar.update({ table: file, done, total });
          }),
        );
      } finally {
        bar.stop();
      }
      const unused = [...tally.unused].sort(([, a], [, b]) => b - a);
      const summary = {
        created: tally.created,
        updated: tally.updated,
        unchanged: tally.unchanged,
        skipped: tally.skipped,
        unused: Object.fromEntries(unused),
      };
      if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        process.stdout.write(
          `Imported ${path}: ${tally.created} created, ${tally.updated} updated, ${tally.unchanged} unchanged, ${tally.skipped} not kept.\n`,
        );
        for (const [element, count] of unused.slice(0, 20))
          process.stdout.write(`  not used: ${element} (${count})\n`);
        if (unused.length > 20)
          process.stdout.write(`  … and ${unused.length - 20} more (--json lists all)\n`);
      }
    });
}
