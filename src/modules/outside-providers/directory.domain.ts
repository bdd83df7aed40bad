import {
  accommodations,
  certifications,
  languagePattern,
  providerModalities,
  specialties,
  type ProviderModality,
} from '../vocabulary/vocabulary.domain.ts';
import type {
  NewOutsideProvider,
  OutsideProvider,
  OutsideProviderPatch,
} from './outside-providers.domain.ts';

/*
 * The outside-provider directory as a file: the rules shared by the CSV and the HSDS formats
 * (field checks in words, and how a file's entries become inserts and updates). Parsing each
 * format lives in directory-csv.domain.ts and directory-hsds.domain.ts.
 */

export const directoryFormats = ['csv', 'hsds'] as const;
export type DirectoryFormat = (typeof directoryFormats)[number];

/**
 * What one import may hold: larger directories are split into several files. HSDS is wordy (about
 * 2.5 kB a provider, indented as the export writes it), so 10,000 providers fit in 32 MiB.
 */
export const directoryLimits = { maxBytes: 32 * 1024 * 1024, maxEntries: 10_000 } as const;

/** The byte limit in words, for messages. */
export const maxBytesText = `${directoryLimits.maxBytes / 1024 / 1024} MiB`;

/** A row number (CSV, as a spreadsheet numbers it: the header is row 1) or an HSDS service id. */
export type RowRef = number | string;

/**
 * One provider as a file describes it. Only the fields the file gives are set: a CSV without an
 * `accepting` column leaves that field of an existing provider alone. An NPI is only ever given,
 * never cleared: an empty NPI cell means "not known here".
 */
export interface DirectoryEntry {
  row: RowRef;
  fields: OutsideProviderPatch & { name: string };
}

export interface RejectedRow {
  row: RowRef;
  problems: string[];
}

/** A field of the file that Continuity has no place for, and how many times it appeared. */
export interface UnusedField {
  field: string;
  count: number;
}

/** A file read into entries, before it meets the directory. */
export interface ParsedDirectory {
  entries: DirectoryEntry[];
  rejected: RejectedRow[];
  unused: UnusedField[];
}

export interface ImportReport {
  format: DirectoryFormat;
  /** Rows (CSV) or services (HSDS) in the file. */
  rows: number;
  /** New providers; when `committed` is false, those that would have been added. */
  imported: number;
  updated: number;
  unchanged: number;
  rejected: RejectedRow[];
  unused: UnusedField[];
  /** False when any row was rejected: then nothing at all was written. */
  committed: boolean;
}

/** What a file's entries are called: rows of a CSV, services of HSDS. */
export const entriesWord = (format: DirectoryFormat) => (format === 'csv' ? 'rows' : 'services');

/** How a problem names another row: `row 7` in a CSV, `service <id>` in HSDS. */
export const rowName = (row: RowRef) => (typeof row === 'number' ? `row ${row}` : `service ${row}`);

/** Collects the problems of one row, in words. */
export class Problems {
  readonly list: string[] = [];
  add(problem: string): void {
    this.list.push(problem);
  }
}

const quote = (value: string) =>
  JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

export function checkName(value: string, problems: Problems, what = 'name'): string {
  const name = value.trim();
  if (name.length === 0) problems.add(`${what} is empty`);
  else if (name.length > 200) problems.add(`${what} is longer than 200 characters`);
  return name;
}

export function checkOrganization(value: string, problems: Problems): string | null {
  const organization = value.trim();
  if (organization.length > 200) problems.add('organization is longer than 200 characters');
  return organization.length === 0 ? null : organization;
}

export function checkNpi(value: string, problems: Problems): string {
  const npi = value.trim();
  if (!/^[0-9]{10}$/.test(npi)) problems.add(`npi ${quote(npi)} is not 10 digits`);
  return npi;
}

/** Checks each value against a vocabulary; the result is de-duplicated and sorted. */
function checkWords<T extends string>(
  values: readonly string[],
  vocabulary: readonly T[],
  what: string,
  problems: Problems,
): T[] {
  const known = new Set<string>(vocabulary);
  const result = new Set<T>();
  for (const value of values) {
    if (known.has(value)) result.add(value as T);
    else problems.add(`${what} ${quote(value)} is not one of: ${vocabulary.join(', ')}`);
  }
  return [...result].sort();
}

export const checkSpecialties = (values: readonly string[], problems: Problems) =>
  checkWords(values, specialties, 'specialty', problems);
export const checkCertifications = (values: readonly string[], problems: Problems) =>
  checkWords(values, certifications, 'certification', problems);
export const checkAccommodations = (values: readonly string[], problems: Problems) =>
  checkWords(values, accommodations, 'accommodation', problems);

export function checkLanguages(values: readonly string[], problems: Problems): string[] {
  const result = new Set<string>();
  for (const value of values) {
    const code = value.trim().toLowerCase();
    if (languagePattern.test(code)) result.add(code);
    else problems.add(`language ${quote(value)} is not an ISO 639 code such as en or es`);
  }
  if (values.length === 0) problems.add('no language: give at least one, such as en');
  if (result.size > 20) problems.add('more than 20 languages');
  return [...result].sort();
}

export function checkModality(value: string, problems: Problems): ProviderModality {
  const modality = value.trim();
  if (!(providerModalities as readonly string[]).includes(modality))
    problems.add(`modality ${quote(modality)} is not one of: ${providerModalities.join(', ')}`);
  return modality as ProviderModality;
}

export function checkCoordinate(value: number, what: 'lat' | 'lon', problems: Problems): number {
  const limit = what === 'lat' ? 90 : 180;
  if (!Number.isFinite(value) || Math.abs(value) > limit)
    problems.add(`${what} must be a number between -${limit} and ${limit}`);
  return value;
}

export function checkWeeklyCapacity(value: number, problems: Problems): number {
  if (!Number.isInteger(value) || value < 0 || value > 1000)
    problems.add('weekly capacity must be a whole number from 0 to 1000');
  return value;
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO 8601 instant with its offset (a bare local time would be read in the server's zone). */
export function checkInstant(value: string, what: string, problems: Problems): Date {
  const text = value.trim();
  const date = new Date(text);
  if (!isoInstant.test(text) || Number.isNaN(date.getTime()))
    problems.add(`${what} ${quote(text)} is not an ISO 8601 time with an offset`);
  return date;
}

/** A number written in a file: the empty text is not zero. */
export function numberOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

// ---------------------------------------------------------------------------------------------
// Entries meet the directory.

export interface ImportPlan {
  inserts: { row: RowRef; provider: NewOutsideProvider }[];
  updates: { row: RowRef; id: string; version: number; patch: OutsideProviderPatch }[];
  unchanged: number;
  rejected: RejectedRow[];
}

const creationDefaults = {
  organization: null,
  npi: null,
  specialties: [],
  certifications: [],
  accommodations: [],
  accepting: true,
  capacityConfirmedAt: null,
} satisfies Partial<NewOutsideProvider>;

const nameKey = (name: string, organization: string | null | undefined) =>
  `${name}\u0000${organization ?? ''}`;

/** Lists compare as sets: a file may give them in any order. */
function sameList(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((value, i) => value === sortedB[i]);
}

/** The fields of `fields` that differ from `current`. */
export function changesOf(current: OutsideProvider, fields: OutsideProviderPatch) {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields) as [keyof NewOutsideProvider, unknown][]) {
    if (value === undefined) continue;
    const now = current[key];
    const same =
      Array.isArray(value) && Array.isArray(now)
        ? sameList(value as string[], now as string[])
        : value instanceof Date || now instanceof Date
          ? value instanceof Date && now instanceof Date && value.getTime() === now.getTime()
          : value === now;
    if (!same) patch[key] = value;
  }
  return patch as OutsideProviderPatch;
}

/**
 * Matches each entry to the directory: by NPI when the entry has one (falling back to a provider
 * of the same name and organization who has no NPI yet), else by name and organization. Two
 * entries for one provider, or a name shared by several providers without an NPI, are rejected.
 */
export function planImport(
  existing: readonly OutsideProvider[],
  entries: readonly DirectoryEntry[],
): ImportPlan {
  const byNpi = new Map<string, OutsideProvider>();
  const byName = new Map<string, OutsideProvider[]>();
  for (const provider of existing) {
    if (provider.npi !== null) byNpi.set(provider.npi, provider);
    const key = nameKey(provider.name, provider.organization);
    byName.set(key, [...(byName.get(key) ?? []), provider]);
  }
  const plan: ImportPlan = { inserts: [], updates: [], unchanged: 0, rejected: [] };
  const entryOf = new Map<string, RowRef>();
  const claimed = new Map<string, RowRef>();

  for (const { row, fields } of entries) {
    const problems: string[] = [];
    const key = nameKey(fields.name, fields.organization);
    const sameName = byName.get(key) ?? [];
    let match: OutsideProvider | undefined;
    if (fields.npi) {
      const earlier = entryOf.get(`npi:${fields.npi}`);
      if (earlier !== undefined)
        problems.push(`npi ${fields.npi} is also given in ${rowName(earlier)}`);
      entryOf.set(`npi:${fields.npi}`, row);
      match = byNpi.get(fields.npi);
      if (!match) {
        const withoutNpi = sameName.filter((provider) => provider.npi === null);
        if (withoutNpi.length === 1) match = withoutNpi[0];
        if (withoutNpi.length > 1)
          problems.push(
            `${withoutNpi.length} providers named ${quote(fields.name)} at this organization have no NPI; give them theirs first`,
          );
      }
    } else {
      const earlier = entryOf.get(`name:${key}`);
      if (earlier !== undefined)
        problems.push(
          `${rowName(earlier)} has the same name and organization and neither has an NPI to tell them apart`,
        );
      entryOf.set(`name:${key}`, row);
      if (sameName.length === 1) match = sameName[0];
      if (sameName.length > 1)
        problems.push(
          `${sameName.length} providers are named ${quote(fields.name)} at this organization; give the NPI to say which`,
        );
    }
    if (match) {
      const earlier = claimed.get(match.id);
      if (earlier !== undefined) problems.push(`${rowName(earlier)} describes the same provider`);
      claimed.set(match.id, row);
    }
    if (!match) {
      const missing = (['languages', 'modality', 'lat', 'lon', 'weeklyCapacity'] as const).filter(
        (field) => fields[field] === undefined,
      );
      if (missing.length > 0)
        problems.push(`a new provider needs ${missing.join(', ')}, which the file does not give`);
    }
    if (problems.length > 0) {
      plan.rejected.push({ row, problems });
      continue;
    }
    if (!match) {
      plan.inserts.push({
        row,
        provider: { ...creationDefaults, ...fields } as NewOutsideProvider,
      });
      continue;
    }
    const patch = changesOf(match, fields);
    if (Object.keys(patch).length === 0) plan.unchanged += 1;
    else plan.updates.push({ row, id: match.id, version: match.version, patch });
  }
  return plan;
}

/** Counts field paths the file used that Continuity has no place for, sorted by path. */
export class UnusedFields {
  readonly #counts = new Map<string, number>();
  add(field: string): void {
    this.#counts.set(field, (this.#counts.get(field) ?? 0) + 1);
  }
  list(): UnusedField[] {
    return [...this.#counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([field, count]) => ({ field, count }));
  }
}
