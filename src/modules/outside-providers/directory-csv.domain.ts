import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../shared/errors.ts';
import {
  checkAccommodations,
  checkCertifications,
  checkCoordinate,
  checkInstant,
  checkLanguages,
  checkModality,
  checkName,
  checkNpi,
  checkOrganization,
  checkSpecialties,
  checkWeeklyCapacity,
  directoryLimits,
  numberOf,
  Problems,
  type DirectoryEntry,
  type ParsedDirectory,
  type RejectedRow,
} from './directory.domain.ts';
import type { OutsideProvider } from './outside-providers.domain.ts';

/*
 * The directory as CSV (RFC 4180, UTF-8, a header row). One provider a row; lists are written
 * with `;` between values (`en;es`); times are ISO 8601 with an offset; booleans are true/false.
 */

export const csvColumns = [
  'name',
  'organization',
  'npi',
  'specialties',
  'languages',
  'certifications',
  'modality',
  'lat',
  'lon',
  'accommodations',
  'weekly_capacity',
  'accepting',
  'capacity_confirmed_at',
] as const;
type Column = (typeof csvColumns)[number];

/** What a new provider cannot do without (the other columns have defaults). */
const requiredColumns: readonly Column[] = [
  'name',
  'languages',
  'modality',
  'lat',
  'lon',
  'weekly_capacity',
];

/*
 * A spreadsheet runs a cell that starts with = + - or @ as a formula, so a provider named
 * "=HYPERLINK(…)" could act on the computer of whoever opens the export. The export puts a ' before
 * such text (and before a leading ', so that the rule can be undone), and the import takes it off:
 * what goes out comes back the same. Numbers are not text and keep their minus sign.
 */
const formulaStart = /^[=+\-@\t\r']/;
const guard = (text: string) => (formulaStart.test(text) ? `'${text}` : text);
const unguard = (text: string) =>
  text.startsWith("'") && formulaStart.test(text.slice(1)) ? text.slice(1) : text;

const listOf = (cell: string) =>
  cell
    .split(';')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);

function booleanOf(cell: string, problems: Problems): boolean {
  const value = cell.trim().toLowerCase();
  if (['true', 'yes', '1'].includes(value)) return true;
  if (['false', 'no', '0'].includes(value)) return false;
  problems.add(`accepting ${JSON.stringify(cell)} is not true or false`);
  return true;
}

function readRecords(text: string): string[][] {
  try {
    return parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    });
  } catch (error) {
    if (error instanceof CsvError)
      throw new AppError('VALIDATION_FAILED', `The CSV cannot be read: ${error.message}`, {
        csvCode: error.code,
      });
    throw error;
  }
}

function headerOf(record: readonly string[] | undefined): Map<Column, number> {
  if (!record) throw new AppError('VALIDATION_FAILED', 'The CSV is empty: it needs a header row.');
  const index = new Map<Column, number>();
  const unknown: string[] = [];
  record.forEach((cell, i) => {
    const name = cell.trim().toLowerCase();
    if ((csvColumns as readonly string[]).includes(name)) {
      if (index.has(name as Column))
        throw new AppError('VALIDATION_FAILED', `The CSV header names ${name} twice.`);
      index.set(name as Column, i);
    } else unknown.push(cell);
  });
  // A misspelt column would otherwise be dropped without a word, with the data under it.
  if (unknown.length > 0)
    throw new AppError(
      'VALIDATION_FAILED',
      `The CSV header has unknown columns: ${unknown.join(', ')}. The columns are: ${csvColumns.join(', ')}.`,
      { unknown, columns: csvColumns },
    );
  const missing = requiredColumns.filter((column) => !index.has(column));
  if (missing.length > 0)
    throw new AppError(
      'VALIDATION_FAILED',
      `The CSV header lacks the required columns: ${missing.join(', ')}.`,
      { missing },
    );
  return index;
}

function entryOf(
  record: readonly string[],
  header: Map<Column, number>,
  width: number,
  problems: Problems,
): DirectoryEntry['fields'] {
  if (record.length !== width)
    problems.add(`has ${record.length} cells where the header has ${width}`);
  const cell = (column: Column) => {
    const i = header.get(column);
    return i === undefined ? undefined : (record[i] ?? '');
  };
  const fields: DirectoryEntry['fields'] = {
    name: checkName(unguard(cell('name') ?? ''), problems),
  };
  const given = (column: Column, read: (text: string) => void) => {
    const text = cell(column);
    if (text !== undefined) read(text);
  };
  given('organization', (t) => (fields.organization = checkOrganization(unguard(t), problems)));
  given('npi', (t) => {
    if (t !== '') fields.npi = checkNpi(t, problems);
  });
  given('specialties', (t) => (fields.specialties = checkSpecialties(listOf(t), problems)));
  given('languages', (t) => (fields.languages = checkLanguages(listOf(t), problems)));
  given(
    'certifications',
    (t) => (fields.certifications = checkCertifications(listOf(t), problems)),
  );
  given('modality', (t) => (fields.modality = checkModality(t, problems)));
  given('lat', (t) => (fields.lat = checkCoordinate(numberOf(t), 'lat', problems)));
  given('lon', (t) => (fields.lon = checkCoordinate(numberOf(t), 'lon', problems)));
  given(
    'accommodations',
    (t) => (fields.accommodations = checkAccommodations(listOf(t), problems)),
  );
  given(
    'weekly_capacity',
    (t) => (fields.weeklyCapacity = checkWeeklyCapacity(numberOf(t), problems)),
  );
  given('accepting', (t) => (fields.accepting = booleanOf(t, problems)));
  given('capacity_confirmed_at', (t) => {
    fields.capacityConfirmedAt =
      t === '' ? null : checkInstant(t, 'capacity_confirmed_at', problems);
  });
  return fields;
}

/**
 * Reads a directory CSV. Throws VALIDATION_FAILED for a file that cannot be read at all (bad
 * quoting, a bad header) and PAYLOAD_TOO_LARGE past the row limit; each bad row is rejected with
 * its row number (the header is row 1) and every problem it has.
 */
export function readDirectoryCsv(text: string): ParsedDirectory {
  const [head, ...records] = readRecords(text);
  const header = headerOf(head);
  if (records.length > directoryLimits.maxEntries)
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `The CSV has ${records.length} rows; an import takes at most ${directoryLimits.maxEntries}. Split the file.`,
      { rows: records.length, maxRows: directoryLimits.maxEntries },
    );
  const entries: DirectoryEntry[] = [];
  const rejected: RejectedRow[] = [];
  records.forEach((record, i) => {
    const row = i + 2;
    const problems = new Problems();
    const fields = entryOf(record, header, head?.length ?? 0, problems);
    if (problems.list.length > 0) rejected.push({ row, problems: problems.list });
    else entries.push({ row, fields });
  });
  return { entries, rejected, unused: [] };
}

/** The directory as CSV, every column, in the order given. */
export function writeDirectoryCsv(providers: readonly OutsideProvider[]): string {
  const rows = providers.map((p) => [
    guard(p.name),
    guard(p.organization ?? ''),
    p.npi ?? '',
    p.specialties.join(';'),
    p.languages.join(';'),
    p.certifications.join(';'),
    p.modality,
    String(p.lat),
    String(p.lon),
    p.accommodations.join(';'),
    String(p.weeklyCapacity),
    String(p.accepting),
    p.capacityConfirmedAt?.toISOString() ?? '',
  ]);
  return stringify([[...csvColumns], ...rows], { record_delimiter: 'unix' });
}
