import { AppError } from '../../shared/errors.ts';

/*
 * FHIR search parameters, parsed into typed values before any SQL sees them. A parameter a type
 * does not declare is refused: ignoring a misspelt filter would answer a different question.
 * Repeating a parameter ANDs its values; commas inside one value OR them.
 */

export type ParamKind = 'token' | 'reference' | 'date' | 'string' | 'composite';

export interface ParamSpec {
  kind: ParamKind;
  /** What it matches, for the CapabilityStatement. */
  documentation: string;
}

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** `system|code`, `|code` (no system) or `code` (any system). */
export interface TokenValue {
  system: string | null | undefined;
  code: string;
}

export interface ReferenceValue {
  type: string | null;
  id: string;
}

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb';

/** A date or instant to the precision given: [start, end) covers it. */
export interface DateValue {
  prefix: DatePrefix;
  start: Date;
  end: Date;
}

/** `characteristic-value=code$value`: a token for the characteristic and one for its value. */
export interface CompositeValue {
  code: TokenValue;
  value: TokenValue;
}

export type SearchValue =
  | { kind: 'token'; value: TokenValue }
  | { kind: 'reference'; value: ReferenceValue }
  | { kind: 'date'; value: DateValue }
  | { kind: 'string'; value: string; exact: boolean }
  | { kind: 'composite'; value: CompositeValue };

/** One search: each parameter's occurrences (ANDed), each a list of alternatives (ORed). */
export interface ParsedSearch {
  params: Map<string, SearchValue[][]>;
  count: number;
  /** The key of the last resource of the previous page. */
  after: string | null;
}

export const defaultCount = 50;
export const maxCount = 1000;

/** What every type supports. */
export const commonParams = {
  _id: { kind: 'token', documentation: 'The resource id.' },
  identifier: { kind: 'token', documentation: 'Any of its identifiers (system|value).' },
  _lastUpdated: { kind: 'date', documentation: 'When it last changed.' },
} as const satisfies ParamSpecs;

/** Parameters about the result, not the match. */
const resultParams = new Set(['_count', '_cursor', '_format']);

function invalid(param: string, problem: string): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid search parameter ${param}: ${problem}`, {
    issues: [{ field: `query.${param}`, problem }],
  });
}

/** Splits on commas not escaped with a backslash, and unescapes. */
function alternatives(raw: string): string[] {
  return raw.split(/(?<!\\),/).map((part) => part.replace(/\\([,$|\\])/g, '$1'));
}

export function parseToken(raw: string): TokenValue {
  const bar = raw.search(/(?<!\\)\|/);
  if (bar < 0) return { system: undefined, code: raw };
  const system = raw.slice(0, bar);
  return { system: system === '' ? null : system, code: raw.slice(bar + 1) };
}

function parseReference(param: string, raw: string): ReferenceValue {
  const match = /^(?:([A-Z][A-Za-z]+)\/)?([A-Za-z0-9\-.]{1,64})$/.exec(raw);
  if (!match?.[2]) throw invalid(param, 'give a reference as Type/id or id');
  return { type: match[1] ?? null, id: match[2] };
}

const datePattern =
  /^(eq|ne|gt|lt|ge|le|sa|eb)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** A FHIR date search value: its prefix and the interval its precision covers (UTC for days). */
export function parseDate(param: string, raw: string): DateValue {
  const match = datePattern.exec(raw);
  if (!match) throw invalid(param, 'give a date as [prefix]YYYY[-MM[-DD[Thh:mm[:ss]±zone]]]');
  const [, prefix = 'eq', y, mo, d, h, mi, s, zone] = match;
  const year = Number(y);
  if (h !== undefined) {
    const start = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${zone === 'Z' ? 'Z' : zone}`);
    if (Number.isNaN(start.getTime())) throw invalid(param, 'not a real instant');
    const step = s === undefined ? 60_000 : 1000;
    return { prefix: prefix as DatePrefix, start, end: new Date(start.getTime() + step) };
  }
  const month = mo === undefined ? 0 : Number(mo) - 1;
  const day = d === undefined ? 1 : Number(d);
  const start = new Date(Date.UTC(year, month, day));
  if (start.getUTCMonth() !== month || start.getUTCDate() !== day || month > 11)
    throw invalid(param, 'not a real date');
  const end =
    d !== undefined
      ? new Date(Date.UTC(year, month, day + 1))
      : mo !== undefined
        ? new Date(Date.UTC(year, month + 1, 1))
        : new Date(Date.UTC(year + 1, 0, 1));
  return { prefix: prefix as DatePrefix, start, end };
}

function parseValue(param: string, spec: ParamSpec, raw: string, exact: boolean): SearchValue {
  if (raw === '') throw invalid(param, 'give a value');
  if (raw.length > 500) throw invalid(param, 'at most 500 characters');
  switch (spec.kind) {
    case 'token':
      return { kind: 'token', value: parseToken(raw) };
    case 'reference':
      return { kind: 'reference', value: parseReference(param, raw) };
    case 'date':
      return { kind: 'date', value: parseDate(param, raw) };
    case 'string':
      return { kind: 'string', value: raw, exact };
    case 'composite': {
      const dollar = raw.search(/(?<!\\)\$/);
      if (dollar < 0) throw invalid(param, 'give code$value');
      return {
        kind: 'composite',
        value: { code: parseToken(raw.slice(0, dollar)), value: parseToken(raw.slice(dollar + 1)) },
      };
    }
  }
}

/**
 * Parses a query string's parameters (each name with its values, as given) against what a type
 * supports. Throws VALIDATION_FAILED naming the parameter, for an unknown one or a bad value.
 */
export function parseSearch(
  query: Readonly<Record<string, string | string[] | undefined>>,
  specs: ParamSpecs,
  decodeCursor: (cursor: string) => string,
): ParsedSearch {
  const params = new Map<string, SearchValue[][]>();
  let count = defaultCount;
  let after: string | null = null;
  for (const [rawName, given] of Object.entries(query)) {
    if (given === undefined) continue;
    const values = [given].flat();
    if (resultParams.has(rawName)) {
      const last = values.at(-1) ?? '';
      if (rawName === '_count') {
        const n = Number(last);
        if (!/^\d+$/.test(last) || n < 1 || n > maxCount)
          throw invalid('_count', `a whole number from 1 to ${maxCount}`);
        count = n;
      } else if (rawName === '_cursor') {
        after = decodeCursor(last);
      } else if (!['json', 'application/json', 'application/fhir+json'].includes(last)) {
        throw invalid('_format', 'only json is served');
      }
      continue;
    }
    const exact = rawName.endsWith(':exact');
    const name = exact ? rawName.slice(0, -':exact'.length) : rawName;
    const spec = (commonParams as ParamSpecs)[name] ?? specs[name];
    if (!spec || (exact && spec.kind !== 'string')) {
      const supported = [...Object.keys(commonParams), ...Object.keys(specs)].sort().join(', ');
      throw invalid(rawName, `not supported here; supported: ${supported}`);
    }
    if (values.length > 10) throw invalid(name, 'at most 10 repetitions');
    const occurrences = params.get(name) ?? [];
    for (const raw of values) {
      const options = alternatives(raw);
      if (options.length > 100) throw invalid(name, 'at most 100 alternatives');
      occurrences.push(options.map((option) => parseValue(name, spec, option, exact)));
    }
    params.set(name, occurrences);
  }
  return { params, count, after };
}

interface ValueOfKind {
  token: TokenValue;
  reference: ReferenceValue;
  date: DateValue;
  string: { value: string; exact: boolean };
  composite: CompositeValue;
}

/** The values of a parameter of one kind: each occurrence a list of alternatives. */
export function valuesOf<K extends ParamKind>(
  search: ParsedSearch,
  name: string,
  kind: K,
): ValueOfKind[K][][] {
  return (search.params.get(name) ?? []).map((alternatives) =>
    alternatives.flatMap((v) => {
      if (v.kind !== kind) return [];
      const value = v.kind === 'string' ? { value: v.value, exact: v.exact } : v.value;
      return [value as ValueOfKind[K]];
    }),
  );
}
