import fc from 'fast-check';

/*
 * Just enough of JSON Schema (as @fastify/swagger writes it from the zod schemas) to build values
 * that a schema refuses for certain, and values it accepts. `violates` says true only when it is
 * sure: a value it cannot judge counts as accepted, so a generated "bad" value is never one the
 * server may rightly take.
 */

export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  nullable?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `schema` certainly refuses `value`. */
export function violates(schema: JsonSchema, value: unknown): boolean {
  if (value === null) return !acceptsNull(schema);
  if (schema.anyOf) return schema.anyOf.every((branch) => violates(branch, value));
  if (schema.enum) return !schema.enum.includes(value);
  if (schema.const !== undefined) return value !== schema.const;
  switch (schema.type ?? '') {
    case 'string': {
      if (typeof value !== 'string') return true;
      if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) return true;
      if (schema.minLength !== undefined && value.length < schema.minLength) return true;
      return schema.maxLength !== undefined && value.length > schema.maxLength;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return true;
      if (schema.type === 'integer' && !Number.isInteger(value)) return true;
      if (schema.minimum !== undefined) {
        const exclusive = schema.exclusiveMinimum === true;
        if (exclusive ? value <= schema.minimum : value < schema.minimum) return true;
      }
      return schema.maximum !== undefined && value > schema.maximum;
    }
    case 'boolean':
      return typeof value !== 'boolean';
    case 'array': {
      if (!Array.isArray(value)) return true;
      if (schema.minItems !== undefined && value.length < schema.minItems) return true;
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return true;
      const items = schema.items;
      return items !== undefined && value.some((item: unknown) => violates(items, item));
    }
    case 'object': {
      if (!isPlainObject(value)) return true;
      const properties = schema.properties ?? {};
      if ((schema.required ?? []).some((name) => !Object.hasOwn(value, name))) return true;
      for (const [name, field] of Object.entries(value)) {
        const known = Object.hasOwn(properties, name) ? properties[name] : undefined;
        if (known) {
          if (violates(known, field)) return true;
        } else if (schema.additionalProperties === false) return true;
        else if (isPlainObject(schema.additionalProperties) || schema.additionalProperties === true)
          if (
            typeof schema.additionalProperties === 'object' &&
            violates(schema.additionalProperties, field)
          )
            return true;
      }
      return false;
    }
    default:
      return false;
  }
}

function acceptsNull(schema: JsonSchema): boolean {
  if (schema.nullable === true || schema.type === 'null') return true;
  if (schema.anyOf) return schema.anyOf.some(acceptsNull);
  return schema.type === undefined && schema.enum === undefined;
}

/** Whether anything can violate the schema at all (`{}` takes every value). */
export function isConstrained(schema: JsonSchema): boolean {
  return schema.type !== undefined || schema.enum !== undefined || schema.anyOf !== undefined;
}

/**
 * A query parameter's value as zod reads it: numbers are coerced with `Number()`, a repeated
 * parameter arrives as an array.
 */
export function violatesQuery(schema: JsonSchema, value: string | string[]): boolean {
  if (schema.anyOf) return schema.anyOf.every((branch) => violatesQuery(branch, value));
  if (schema.type === 'integer' || schema.type === 'number') return violates(schema, Number(value));
  return violates(schema, value);
}

/** Strings a hostile client sends: injection, traversal, odd Unicode, bad dates and numbers. */
export const hostileTexts = [
  "' or 1=1--",
  "'; drop table patient; --",
  '1); select pg_sleep(30); --',
  '" OR ""="',
  "\\'; --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..',
  '%2e%2e%2f',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil\u202c',
  '\u200b',
  '\ufeff',
  '👩‍👧🏥💥',
  'Ω≈ç√∫˜µ≤≥÷',
  '𝕿𝖊𝖘𝖙',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1',
  '0',
  '-0',
  '9007199254740993',
  '0x10',
  ' 5 ',
  '',
  ' ',
  '\t\r\n',
  'true',
  '[]',
  '{}',
  '2025-02-30',
  '2025-13-01',
  '2024-02-29T25:00:00Z',
  '0000-00-00',
  'yesterday',
  '2025-03-03T17:00:00',
  '+275760-09-13T00:00:00.000Z',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  '%s%s%s%n',
  'a\r\nx-injected: 1',
  'x'.repeat(10_000),
] as const;

/** A hostile string: one of the classics, or anything fast-check makes, full Unicode included. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileTexts) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uuid() },
);

/** Numbers no field should take: out of range, fractional, huge. Infinity is sent as 1e309. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 31), 2 ** 31, Infinity),
  fc.double({ noNaN: true }),
  fc.integer(),
);

/** Any JSON-ish value a hostile client sends, nested a little. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: hostileText },
    { weight: 3, arbitrary: hostileNumber },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof(hostileText, fc.constantFrom('__proto__', 'constructor')),
            tie('value'),
          ),
          {
            maxLength: 4,
          },
        )
        .map((entries) => Object.fromEntries(entries)),
    },
    { weight: 1, arbitrary: fc.constant(Array.from({ length: 10_000 }, (_, i) => i)) },
    { weight: 1, arbitrary: fc.constant('A'.repeat(100_000)) },
  ),
})).value;

const violatingCache = new WeakMap<JsonSchema, fc.Arbitrary<unknown>>();

/** A value `schema` certainly refuses. Only for constrained schemas (see isConstrained). */
export function violating(schema: JsonSchema): fc.Arbitrary<unknown> {
  const cached = violatingCache.get(schema);
  if (cached) return cached;
  const typed: fc.Arbitrary<unknown>[] = [hostileValue];
  if (schema.type === 'object' && Object.keys(schema.properties ?? {}).length > 0)
    typed.push(objectOf(schema, (s) => violating(s)).filter((v) => violates(schema, v)));
  if (schema.type === 'array' && schema.items && isConstrained(schema.items)) {
    const items = schema.items;
    typed.push(fc.array(violating(items), { minLength: 1, maxLength: 3 }));
  }
  const arbitrary = fc.oneof(...typed).filter((v) => violates(schema, v));
  violatingCache.set(schema, arbitrary);
  return arbitrary;
}

/** Some of the schema's properties (the required ones more often), each from `field`. */
export function objectOf(
  schema: JsonSchema,
  field: (s: JsonSchema) => fc.Arbitrary<unknown>,
): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(schema.properties ?? {}).map(([name, s]) =>
    fc.option(
      field(s).map((v) => [name, v] as const),
      { nil: undefined, freq: 3 },
    ),
  );
  return fc
    .tuple(...entries)
    .map((pairs) => Object.fromEntries(pairs.filter((p) => p !== undefined)));
}

/** Stands for an object nested 50,000 deep, which JSON.stringify itself could not write. */
export const deeplyNested = '\u0001DEEP';
const deepText = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);

/**
 * JSON text of a value; Infinity and -Infinity become 1e309 and -1e309 (which JSON.parse reads
 * so), and `deeplyNested` the deep object.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v === Infinity ? '\u0001INF' : v === -Infinity ? '\u0001-INF' : v,
  )
    .replaceAll('"\\u0001INF"', '1e309')
    .replaceAll('"\\u0001-INF"', '-1e309')
    .replaceAll('"\\u0001DEEP"', deepText);
}
