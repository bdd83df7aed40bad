import type { Resource } from '@medplum/fhirtypes';
import { AppError } from '../../shared/errors.ts';
import type { ServedType } from './fhir.domain.ts';
import type { SearchValue } from './search.domain.ts';

/*
 * The pure parts of FHIR Bulk Data export (HL7 Bulk Data Access IG v2): the kick-off's
 * parameters, the NDJSON lines, the files' names, the status answers and the manifest.
 */

export const ndjsonMediaType = 'application/fhir+ndjson';

/** The `_outputFormat` values the IG says mean NDJSON. */
export const outputFormats = [ndjsonMediaType, 'application/ndjson', 'ndjson'] as const;

/** How many resources one read of a source asks for (and so how many a file write holds). */
export const exportPageSize = 1000;

export type ExportStatus = 'in_progress' | 'completed' | 'failed' | 'cancelled';

/** One file of an export: its resource type, its address (relative to the FHIR base), its lines. */
export interface ExportOutput {
  type: string;
  url: string;
  count: number;
}

/** What a kick-off asks for, checked. */
export interface ExportRequest {
  types: ServedType[];
  since: Date | null;
}

/** A type the export may include, as the source registry describes it. */
export interface ExportableType {
  type: ServedType;
  patientCompartment: boolean;
}

function invalid(param: string, problem: string): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid export parameter ${param}: ${problem}`, {
    issues: [{ field: `query.${param}`, problem }],
  });
}

/** The IG's parameters Continuity supports; any other is refused, never ignored. */
const supportedParams = new Set(['_type', '_since', '_outputFormat']);

/** A FHIR instant: a time with seconds and a zone. */
const instantPattern =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;

/** The instant a FHIR instant names, or undefined when it is not one (or not a real day). */
function instantOf(text: string): Date | undefined {
  const match = instantPattern.exec(text);
  if (!match) return undefined;
  const [, y, m, d] = match.map(Number);
  const day = new Date(Date.UTC(y ?? 0, (m ?? 0) - 1, d ?? 0));
  if (day.getUTCMonth() !== (m ?? 0) - 1 || day.getUTCDate() !== d) return undefined;
  return new Date(text);
}

function single(
  query: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  const values = [value].flat();
  if (values.length > 1) throw invalid(name, 'give it once');
  return values[0];
}

/**
 * The kick-off's query, checked against the types there are: `_type` (a comma list, default all),
 * `_since` (an instant), `_outputFormat` (NDJSON). A Group export takes only the types of a
 * patient's compartment. Throws VALIDATION_FAILED naming the parameter.
 */
export function parseExportRequest(
  query: Readonly<Record<string, string | string[] | undefined>>,
  available: readonly ExportableType[],
  groupExport: boolean,
): ExportRequest {
  for (const name of Object.keys(query))
    if (query[name] !== undefined && !supportedParams.has(name))
      throw invalid(
        name.slice(0, 64),
        `not supported; supported: ${[...supportedParams].join(', ')}`,
      );

  const format = single(query, '_outputFormat');
  if (format !== undefined && !(outputFormats as readonly string[]).includes(format))
    throw invalid('_outputFormat', `only NDJSON is written (${outputFormats.join(', ')})`);

  const eligible = available.filter((t) => !groupExport || t.patientCompartment);
  const typeText = single(query, '_type');
  let types: ServedType[];
  if (typeText === undefined) types = eligible.map((t) => t.type);
  else {
    const asked = typeText.split(',').map((t) => t.trim());
    const unknown = asked.filter((name) => !eligible.some((t) => t.type === name));
    if (asked.some((name) => name === '') || unknown.length > 0)
      throw invalid(
        '_type',
        `${unknown.length > 0 ? `${unknown.map((t) => t.slice(0, 64)).join(', ')} not exported` : 'an empty type'}${groupExport ? ' by a Group export' : ''}; exported: ${eligible.map((t) => t.type).join(', ')}`,
      );
    // In the registry's order (the order an import creates them in), each once.
    types = eligible.map((t) => t.type).filter((type) => asked.includes(type));
  }

  const sinceText = single(query, '_since');
  let since: Date | null = null;
  if (sinceText !== undefined) {
    const at = instantOf(sinceText);
    if (!at) throw invalid('_since', 'give an instant as YYYY-MM-DDThh:mm:ss[.sss](Z|±hh:mm)');
    since = at;
  }
  return { types, since };
}

/** Bulk export answers asynchronously only: the client must say it will poll. */
export function requireRespondAsync(prefer: string | string[] | undefined): void {
  const values = [prefer ?? []].flat().flatMap((v) => v.split(','));
  if (!values.some((v) => v.trim().toLowerCase() === 'respond-async'))
    throw new AppError('VALIDATION_FAILED', 'Send the header Prefer: respond-async.', {
      issues: [{ field: 'headers.prefer', problem: 'must be respond-async' }],
    });
}

/** The search parameters a source is read with: `_since` as `_lastUpdated=ge…`. */
export function sinceParams(since: Date | null): Map<string, SearchValue[][]> {
  if (since === null) return new Map();
  return new Map([
    [
      '_lastUpdated',
      [
        [
          {
            kind: 'date',
            value: { prefix: 'ge', start: since, end: new Date(since.getTime() + 1) },
          },
        ],
      ],
    ],
  ]);
}

/** One resource as an NDJSON line. */
export function ndjsonLine(resource: Resource): string {
  return `${JSON.stringify(resource)}\n`;
}

export function fileNameOf(type: ServedType): string {
  return `${type}.ndjson`;
}

/** The file route's address of a file, relative to the FHIR base. */
export function fileUrlOf(jobId: string, type: ServedType): string {
  return `$export-file/${jobId}/${fileNameOf(type)}`;
}

/** Where a job's status is polled, relative to the FHIR base. */
export function statusUrlOf(jobId: string): string {
  return `$export-status/${jobId}`;
}

/** The files of the types that had resources: an empty type gets no file (and no entry). */
export function outputsOf(
  counts: readonly { type: ServedType; count: number }[],
  url: (type: ServedType) => string,
): ExportOutput[] {
  return counts
    .filter((c) => c.count > 0)
    .map((c) => ({ type: c.type, url: url(c.type), count: c.count }));
}

/** The completion manifest the IG defines, with absolute file addresses. */
export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: true;
  output: ExportOutput[];
  error: ExportOutput[];
}

export function manifestOf(
  job: { transactionTime: Date; requestUrl: string; output: readonly ExportOutput[] },
  baseUrl: string,
): Manifest {
  return {
    transactionTime: job.transactionTime.toISOString(),
    request: job.requestUrl,
    requiresAccessToken: true,
    output: job.output.map((o) => ({
      type: o.type,
      url: /^[a-z]+:/.test(o.url) ? o.url : `${baseUrl}/${o.url}`,
      count: o.count,
    })),
    error: [],
  };
}

/** The X-Progress header while a job runs: the types done and the resources written so far. */
export function progressText(
  types: readonly string[],
  progress: Readonly<Record<string, number>>,
): string {
  const started = types.filter((type) => progress[type] !== undefined);
  const written = started.reduce((sum, type) => sum + (progress[type] ?? 0), 0);
  const current = started.at(-1);
  const done = Math.max(0, started.length - 1);
  return `${done} of ${types.length} types done; ${written} resources written${current ? `; writing ${current}` : ''}`.slice(
    0,
    100,
  );
}

/**
 * How long a finished export's files are kept: long enough to download, not so long that copies
 * of every patient's record pile up on the server's disk. The manifest's Expires header says when.
 */
export const keepFilesForMs = 7 * 24 * 3600_000;

export function expiresAt(completedAt: Date): Date {
  return new Date(completedAt.getTime() + keepFilesForMs);
}

/** The key of a job's progress that holds when it last wrote a page (ms since the epoch). */
export const heartbeatKey = 'at';

/** A running job that has written nothing for this long has lost its server (a crash). */
export const stalledAfterMs = 10 * 60_000;

/**
 * Whether a job said to be running has stopped without saying so: the server writing it died
 * (a graceful shutdown marks its jobs failed itself). A page takes well under a second, so ten
 * minutes of silence is not a slow page.
 */
export function isStalled(
  job: { transactionTime: Date; progress: Readonly<Record<string, number>> },
  now: Date,
): boolean {
  const lastAlive = Math.max(job.transactionTime.getTime(), job.progress[heartbeatKey] ?? 0);
  return now.getTime() - lastAlive > stalledAfterMs;
}

/** A failure's message for the job's record: a code, never a value (it may name a patient). */
export function failureText(type: string | null, code: string): string {
  return `The export failed${type ? ` while writing ${type}` : ''} (${code.slice(0, 60)}). Start it again; the server log names the cause.`;
}
