import fc from 'fast-check';
import type { RouteAccess } from '../../modules/auth/policy.domain.ts';
import { routePolicy } from '../../modules/auth/policy.domain.ts';
import {
  hostileText,
  hostileValue,
  isConstrained,
  deeplyNested,
  jsonText,
  objectOf,
  violates,
  violatesQuery,
  violating,
  type JsonSchema,
} from './schema.ts';

/*
 * Requests that are malformed by construction, for every route of the OpenAPI description: each
 * carries at least one defect a correct server must refuse (a 4xx), whatever the rest holds. The
 * rest is filled with real ids and well-formed values where possible, so that a request whose one
 * defect is semantic (an unknown reference, a stale version) reaches the services and the SQL.
 */

export interface Param {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

export interface RouteSpec {
  method: string;
  /** As Fastify and routePolicy write it: `/api/v1/patients/:id`. */
  path: string;
  family: 'api' | 'fhir';
  access: RouteAccess;
  pathParams: Param[];
  query: Param[];
  /** The JSON body's schema, when the route takes one. */
  body: JsonSchema | undefined;
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** Every /api/v1 and /fhir/R4 route of the OpenAPI document, with its inputs. */
export function routesOf(spec: { paths: Record<string, Record<string, OpenApiOperation>> }) {
  const routes: RouteSpec[] = [];
  for (const [openApiPath, operations] of Object.entries(spec.paths)) {
    const path = openApiPath.replace(/\{(\w+)\}/g, ':$1').replace(/(.)\/$/, '$1');
    const family = path.startsWith('/api/v1/')
      ? 'api'
      : path.startsWith('/fhir/R4')
        ? 'fhir'
        : null;
    if (!family) continue;
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      const param = (p: (typeof parameters)[number]): Param => ({
        name: p.name,
        schema: p.schema ?? {},
        required: p.required === true,
      });
      const access = (routePolicy as Record<string, RouteAccess>)[
        `${method.toUpperCase()} ${path}`
      ];
      if (!access) throw new Error(`No policy for ${method} ${path}`);
      routes.push({
        method: method.toUpperCase(),
        path,
        family,
        access,
        pathParams: parameters.filter((p) => p.in === 'path').map(param),
        // FHIR's query is a free record (search parameters): see fhirSearchQuery.
        query: family === 'api' ? parameters.filter((p) => p.in === 'query').map(param) : [],
        body: operation.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return routes;
}

/** Real ids of the seeded database, by table; and the FHIR types with their search parameters. */
export interface World {
  ids: Record<string, string[]>;
  fhirTypes: { type: string; params: { name: string; type: string }[] }[];
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** What makes it malformed, for the report. */
  defect: string;
  /** Sent with no credentials: must be 401 on any route that is not public. */
  anonymous: boolean;
}

/** Which table a path's `:id` names. */
const tableOfPath: [RegExp, string][] = [
  [/^\/api\/v1\/service-areas/, 'service_area'],
  [/^\/api\/v1\/locations/, 'location'],
  [/^\/api\/v1\/clinicians/, 'clinician'],
  [/^\/api\/v1\/groups/, 'therapy_group'],
  [/^\/api\/v1\/outside-providers/, 'outside_provider'],
  [/^\/api\/v1\/patients/, 'patient'],
  [/^\/api\/v1\/enrollments/, 'enrollment'],
  [/^\/api\/v1\/(disruptions|reports\/disruptions)/, 'disruption'],
  [/^\/api\/v1\/match-runs/, 'match_run'],
  [/^\/api\/v1\/match-proposals/, 'match_proposal'],
  [/^\/api\/v1\/referrals/, 'referral'],
  [/^\/api\/v1\/grievances/, 'grievance'],
  [/^\/api\/v1\/tokens/, 'api_token'],
  [/^\/fhir\/R4\/Group/, 'therapy_group'],
];

/** Which table a body field or query parameter holding an id names. */
const tableOfField: Record<string, string> = {
  patientId: 'patient',
  groupId: 'therapy_group',
  locationId: 'location',
  serviceAreaId: 'service_area',
  area: 'service_area',
  clinicianId: 'clinician',
  disruptionId: 'disruption',
  referralId: 'referral',
  providerId: 'outside_provider',
  userId: 'app_user',
};

/** A well-formed id that names nothing (a v4 UUID; the seed's are v7). */
const unknownId = fc.uuid({ version: 4 });

const uuidLike = (pattern: string | undefined) => pattern?.includes('[89abAB]') === true;
const isDatePattern = (p: string) => p.includes('-02-29') && !p.includes('T(?:');
const isInstantPattern = (p: string) => p.includes('-02-29') && p.includes('T(?:');

/** Well-formed values for the patterns the API uses; undefined when the fuzzer knows none. */
function sampleFor(pattern: string, field: string, world: World): fc.Arbitrary<string> | undefined {
  if (uuidLike(pattern)) return realId(world, tableOfField[field]);
  if (isDatePattern(pattern)) return fc.constantFrom('2025-03-10', '2024-02-29', '2026-12-31');
  if (isInstantPattern(pattern))
    return fc.constantFrom('2025-03-10T10:00:00Z', '2025-01-01T00:00:00.000-08:00');
  const known: Record<string, string[]> = {
    '^[a-z]{2,3}$': ['en', 'es', 'vie'],
    '^[0-9]{10}$': ['1234567893'],
    '^[A-Z0-9_]{2,16}$': ['FUZZ_AREA'],
    '^[A-Z0-9-]{4,20}$': ['FUZZ-0001'],
    '^\\d{4}-W\\d{2}$': ['2025-W10'],
    '^[a-z-]{1,40}$': ['summary'],
    '^[A-Za-z0-9\\-.]{1,64}$': [],
  };
  const samples = known[pattern];
  if (pattern.includes('@')) return fc.constant('fuzz@example.org');
  return samples && samples.length > 0 ? fc.constantFrom(...samples) : undefined;
}

/** A real id: of the given table when known and seeded, else of any table. */
export function realId(world: World, table?: string): fc.Arbitrary<string> {
  const ids = (table && world.ids[table]) || [];
  const pool = ids.length > 0 ? ids : Object.values(world.ids).flat();
  return fc.constantFrom(...pool);
}

/**
 * A value the schema accepts, or undefined when the fuzzer cannot make one (an unknown pattern).
 * Ids are real ones, so the request gets past existence checks to its one defect.
 */
export function conforming(
  schema: JsonSchema,
  world: World,
  field = '',
): fc.Arbitrary<unknown> | undefined {
  if (schema.anyOf) return schema.anyOf.map((b) => conforming(b, world, field)).find(Boolean);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type ?? '') {
    case 'string': {
      if (schema.pattern !== undefined) return sampleFor(schema.pattern, field, world);
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 40, 40);
      if (min > max) return undefined;
      // Hostile text that is still well formed: it goes as far as the SQL.
      return fc.oneof(
        fc.string({ minLength: min, maxLength: max }),
        hostileText.filter((t) => t.length >= min && t.length <= (schema.maxLength ?? 40)),
      );
    }
    case 'integer': {
      const min = schema.minimum ?? 0;
      return fc.integer({ min, max: Math.min(schema.maximum ?? min + 100, min + 100) });
    }
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? min + 100;
      return fc.constantFrom((min + max) / 2, max);
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const item = schema.items ? conforming(schema.items, world, field) : fc.constant('x');
      if (!item) return (schema.minItems ?? 0) === 0 ? fc.constant([]) : undefined;
      return fc.array(item, { minLength: schema.minItems ?? 0, maxLength: 3 });
    }
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      const parts: fc.Arbitrary<[string, unknown] | undefined>[] = [];
      for (const [name, s] of properties) {
        const value = conforming(s, world, name);
        if (!value) {
          if (required.has(name)) return undefined;
          continue;
        }
        const pair = value.map((v) => [name, v] as [string, unknown]);
        parts.push(required.has(name) ? pair : fc.option(pair, { nil: undefined }));
      }
      return fc
        .tuple(...parts)
        .map((pairs) => Object.fromEntries(pairs.filter((p) => p !== undefined)));
    }
    default:
      return undefined;
  }
}

/**
 * A body the schema refuses, by one of: not an object, a required field missing, an extra field
 * (prototype-pollution keys among them), one field of the wrong type or out of range, or a
 * well-formed body whose one id names nothing, or whose version is stale.
 */
function badJsonBody(
  schema: JsonSchema,
  world: World,
): fc.Arbitrary<[string, unknown]> | undefined {
  const options: fc.Arbitrary<[string, unknown]>[] = [];
  const whole = conforming(schema, world) as fc.Arbitrary<Record<string, unknown>> | undefined;
  const base = whole ?? objectOf(schema, (s) => conforming(s, world) ?? hostileValue);
  const properties = schema.properties ?? {};
  if (schema.type === 'object') {
    options.push(
      hostileValue
        .filter((v) => (typeof v !== 'object' || Array.isArray(v)) && violates(schema, v))
        .map((v): [string, unknown] => ['not an object', v]),
    );
    const required = schema.required ?? [];
    if (required.length > 0)
      options.push(
        fc.tuple(base, fc.constantFrom(...required)).map(([body, name]) => {
          const rest = Object.fromEntries(Object.entries(body).filter(([k]) => k !== name));
          return [`no ${name}`, rest];
        }),
      );
    if (schema.additionalProperties === false)
      options.push(
        fc
          .tuple(
            base,
            fc
              .oneof(
                fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'isAdmin'),
                hostileText,
              )
              .filter((k) => !Object.hasOwn(properties, k)),
            hostileValue,
          )
          .map(([body, key, value]) => [
            `extra field`,
            Object.fromEntries([...Object.entries(body), [key, value]]),
          ]),
      );
    const constrained = Object.entries(properties).filter(([, s]) => isConstrained(s));
    if (constrained.length > 0)
      options.push(
        fc
          .tuple(base, fc.constantFrom(...constrained))
          .chain(([body, [name, s]]) =>
            violating(s).map((value): [string, unknown] => [
              `bad ${name}`,
              { ...body, [name]: value },
            ]),
          ),
      );
    // Well-formed but naming nothing, or a stale version: refused by the service, not the schema.
    if (whole) {
      const ids = Object.entries(properties).filter(
        ([, s]) => s.type === 'string' && uuidLike(s.pattern),
      );
      if (ids.length > 0)
        options.push(
          fc
            .tuple(whole, fc.constantFrom(...ids), unknownId)
            .map(([body, [name], id]) => [`unknown ${name}`, { ...body, [name]: id }]),
        );
      if (properties.version)
        options.push(
          whole.map((body) => ['stale version', { ...body, version: Number.MAX_SAFE_INTEGER }]),
        );
    }
  } else if (isConstrained(schema)) {
    options.push(violating(schema).map((v) => ['bad body', v]));
  }
  return options.length > 0 ? fc.oneof(...options) : undefined;
}

type Unreadable = [string, string, string];

/**
 * Bodies that are not what the route reads at all. A route without a body schema ignores any
 * body Fastify can parse (JSON, and text/plain, which Fastify reads too), so only unparsable ones
 * are defects there.
 */
function unreadableBody(hasSchema: boolean): fc.Arbitrary<Unreadable> {
  const notJson = fc
    .constantFrom(
      '{',
      '{"a":',
      "{'a': 1}",
      '[1,2,',
      'undefined',
      'NaN',
      '\u0000',
      '{"a": 1}}',
      '\ufeff{}x',
    )
    .map((text): Unreadable => ['not JSON', 'application/json', text]);
  const tooLarge = fc.constant<Unreadable>([
    'body over 1 MB',
    'application/json',
    `{"a":"${'A'.repeat(1_100_000)}"}`,
  ]);
  const types = [
    'application/xml',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    'image/png',
  ];
  const wrongType = fc
    .constantFrom(...(hasSchema ? [...types, 'text/plain'] : types))
    .chain((type) =>
      hostileText.map((text): Unreadable => ['wrong content type', type, text || 'x']),
    );
  if (!hasSchema) return fc.oneof(notJson, tooLarge, wrongType);
  const deep = fc.constant<Unreadable>([
    'deeply nested JSON',
    'application/json',
    '['.repeat(100_000) + ']'.repeat(100_000),
  ]);
  return fc.oneof(notJson, deep, tooLarge, wrongType);
}

/** A hostile value for a path segment that the parameter's pattern refuses, URL-encoded. */
function badPathValue(param: Param): fc.Arbitrary<string> {
  return fc
    .oneof(hostileText, fc.constantFrom('A'.repeat(500), '00000000-0000-0000-0000-00000000000g'))
    .filter((v) => v !== '' && violates(param.schema, v))
    .map(encodeSegment);
}

/** encodeURIComponent, except that a lone surrogate is sent as the bytes of one (bad UTF-8). */
export function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // Code points, on purpose: a lone surrogate is one, and is what gets replaced.
    // eslint-disable-next-line @typescript-eslint/no-misused-spread
    return [...value]
      .map((ch) => {
        try {
          return encodeURIComponent(ch);
        } catch {
          return '%ED%A0%80';
        }
      })
      .join('');
  }
}

function queryString(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return '';
  return `?${pairs.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&')}`;
}

/** Query parameters for an /api/v1 route: well-formed ones, then one defect at least. */
function badApiQuery(route: RouteSpec, world: World): fc.Arbitrary<[string, [string, string][]]> {
  const good = route.query.map((p) => {
    const value = conforming(p.schema, world, p.name);
    const pair = (value ?? fc.constant(undefined)).map((v) =>
      v === undefined ? undefined : ([p.name, String(v as string | number)] as [string, string]),
    );
    return p.required ? pair : fc.option(pair, { nil: undefined });
  });
  const base = fc
    .tuple(...good)
    .map((pairs) => pairs.filter((p): p is [string, string] => p !== undefined));
  const names = new Set(route.query.map((p) => p.name));
  const options: fc.Arbitrary<[string, [string, string][]]>[] = [
    // An unknown parameter: every /api/v1 query schema is strict.
    fc
      .tuple(
        base,
        hostileText.filter((k) => k !== '' && !names.has(k)),
        hostileText,
      )
      .map(([pairs, k, v]) => [`unknown query ${k.slice(0, 20)}`, [...pairs, [k, v]]]),
  ];
  const constrained = route.query.filter((p) => isConstrained(p.schema));
  if (constrained.length > 0)
    options.push(
      fc
        .tuple(
          base,
          fc.constantFrom(...constrained),
          fc.oneof(
            hostileText,
            fc.constantFrom('1e309', 'NaN', '-5', '99999999999999999999', '1.5', '2025-02-30'),
          ),
          fc.boolean(),
        )
        .filter(([, p, v]) => violatesQuery(p.schema, v))
        .map(([pairs, p, v, twice]) => [
          `bad query ${p.name}`,
          [
            ...pairs.filter(([k]) => k !== p.name),
            [p.name, v],
            ...(twice ? [[p.name, v] as [string, string]] : []),
          ],
        ]),
      // A parameter given twice is an array, which no scalar parameter takes.
      fc
        .tuple(base, fc.constantFrom(...route.query))
        .chain(([pairs, p]) =>
          (conforming(p.schema, world, p.name) ?? fc.constant('x')).map(
            (v): [string, [string, string][]] => [
              `${p.name} twice`,
              [...pairs.filter(([k]) => k !== p.name), [p.name, String(v)], [p.name, String(v)]],
            ],
          ),
        ),
    );
  const required = route.query.filter((p) => p.required);
  if (required.length > 0)
    options.push(
      fc
        .tuple(base, fc.constantFrom(...required))
        .map(([pairs, p]) => [`no ${p.name}`, pairs.filter(([k]) => k !== p.name)]),
    );
  if (names.has('cursor'))
    options.push(
      fc
        .tuple(
          base,
          hostileText.filter((c) => c.length <= 200 && c !== ''),
        )
        .map(([pairs, c]) => [
          'forged cursor',
          [...pairs.filter(([k]) => k !== 'cursor'), ['cursor', c]],
        ]),
    );
  return fc.oneof(...options);
}

/** FHIR search parameters with one defect at least, for a type the server serves. */
function badFhirSearch(
  params: { name: string; type: string }[],
): fc.Arbitrary<[string, [string, string][]]> {
  const names = new Set(params.map((p) => p.name));
  const ofKind = (kind: string) => params.filter((p) => p.type === kind).map((p) => p.name);
  const options: fc.Arbitrary<[string, [string, string][]]>[] = [
    fc
      .tuple(
        fc.oneof(
          hostileText,
          fc.constantFrom('name:contains', 'birthdate', '_sort', '_include', '_elements'),
        ),
        hostileText,
      )
      .filter(([k]) => k !== '' && !names.has(k) && !['_count', '_cursor', '_format'].includes(k))
      .map(([k, v]) => [`unknown search ${k.slice(0, 20)}`, [[k, v]]]),
    fc
      .constantFrom('0', '-1', '1001', '1e3', 'abc', '', '1.5', '99999999999999999999')
      .map((v) => ['bad _count', [['_count', v]]]),
    fc.constantFrom('xml', 'text/html', '').map((v) => ['bad _format', [['_format', v]]]),
    hostileText.filter((v) => v !== '').map((v) => ['forged _cursor', [['_cursor', v]]]),
  ];
  if (params.length > 0) {
    options.push(
      fc.constantFrom(...params.map((p) => p.name)).map((name) => [`empty ${name}`, [[name, '']]]),
      fc
        .constantFrom(...params.map((p) => p.name))
        .map((name) => [`long ${name}`, [[name, 'x'.repeat(501)]]]),
      fc
        .constantFrom(...params.map((p) => p.name))
        .map((name) => [
          `${name} 11 times`,
          Array.from({ length: 11 }, () => [name, 'x'] as [string, string]),
        ]),
      fc
        .constantFrom(...params.map((p) => p.name))
        .map((name) => [
          `${name} 101 alternatives`,
          [[name, Array.from({ length: 101 }, (_, i) => `x${i}`).join(',')]],
        ]),
    );
  }
  const dates = ofKind('date');
  if (dates.length > 0)
    options.push(
      fc
        .tuple(
          fc.constantFrom(...dates),
          fc.constantFrom(
            '2025-02-30',
            'yesterday',
            'ge2025-13',
            '2025-03-03T25:00:00Z',
            'xx2025',
            '2025-03-03T10:00',
            '99999',
          ),
        )
        .map(([name, v]) => [`bad ${name}`, [[name, v]]]),
    );
  const references = ofKind('reference');
  if (references.length > 0)
    options.push(
      fc
        .tuple(
          fc.constantFrom(...references),
          fc.constantFrom(
            "Patient/' or 1=1--",
            'patient/x',
            '../x',
            'Patient/',
            'a/b/c',
            '<script>',
          ),
        )
        .map(([name, v]) => [`bad ${name}`, [[name, v]]]),
    );
  return fc.oneof(...options);
}

const fhirJson = 'application/fhir+json';

/** Credentials that name nobody: none at all, or forged ones. */
const forgedCredentials: fc.Arbitrary<[string, Record<string, string>]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<[string, Record<string, string>]>(['no credentials', {}]) },
  hostileText.map((t): [string, Record<string, string>] => [
    'forged token',
    { authorization: `Bearer ${encodeSegment(t)}` },
  ]),
  fc
    .constantFrom(
      'Basic YWRtaW46YWRtaW4=',
      'Bearer',
      'Bearer ',
      `Bearer ${'a'.repeat(5000)}`,
      'bearer ct_0000000000000000000000000000000000000000',
      'Token admin',
    )
    .map((a): [string, Record<string, string>] => ['forged token', { authorization: a }]),
  hostileText.map((t): [string, Record<string, string>] => [
    'forged session cookie',
    { cookie: `continuity_session=${encodeSegment(t)}` },
  ]),
);

/**
 * The malformed requests of one route, each with its defect named: as the administrator (so that
 * validation and the services are reached), and a share with no credentials, or forged ones, which
 * must get 401 before anything else on every route that is not public. Undefined for a public
 * route that takes no input at all (nothing can be malformed about it).
 */
export function badRequests(
  route: RouteSpec,
  world: World,
  admin: string,
): fc.Arbitrary<FuzzRequest> | undefined {
  const parts = requestParts(route, world);
  const options: fc.WeightedArbitrary<FuzzRequest>[] = [];
  if (parts)
    options.push({
      weight: 9,
      arbitrary: parts.map((p) => ({
        ...p,
        headers: { ...p.headers, authorization: admin },
        anonymous: false,
      })),
    });
  if (route.access !== 'public') {
    const plain = pathWith(route, route.family === 'api' ? world : world).map((url): Parts => ({
      method: route.method,
      url,
      defect: '',
      headers: {},
    }));
    options.push({
      weight: parts ? 1 : 10,
      arbitrary: fc.tuple(parts ?? plain, forgedCredentials).map(([p, [who, headers]]) => ({
        ...p,
        defect: p.defect ? `${who}, ${p.defect}` : who,
        headers: { ...p.headers, ...headers },
        anonymous: true,
      })),
    });
  } else if (parts) {
    options.push({
      weight: 1,
      arbitrary: parts.map((p) => ({
        ...p,
        defect: `no credentials, ${p.defect}`,
        anonymous: false,
      })),
    });
  }
  return options.length > 0 ? fc.oneof(...options) : undefined;
}

type Parts = Omit<FuzzRequest, 'anonymous'>;

/** The path with each parameter given: a real id by default. */
function pathWith(
  route: RouteSpec,
  world: World,
  values: Record<string, string> = {},
): fc.Arbitrary<string> {
  const table = tableOfPath.find(([re]) => re.test(route.path))?.[1];
  const segments = route.pathParams.map((p) => {
    if (values[p.name] !== undefined) return fc.constant(values[p.name] ?? '');
    if (p.name === 'type') return fc.constantFrom(...world.fhirTypes.map((t) => t.type));
    if (p.name === 'day') return fc.constant('2025-03-10');
    if (p.name === 'file') return fc.constant('Patient.ndjson');
    return realId(world, table);
  });
  return fc.tuple(...segments).map((given) => {
    let path = route.path;
    route.pathParams.forEach((p, i) => {
      path = path.replace(`:${p.name}`, given[i] ?? '');
    });
    return path;
  });
}

function requestParts(route: RouteSpec, world: World): fc.Arbitrary<Parts> | undefined {
  const options: fc.Arbitrary<Parts>[] = [];
  const takesBody = route.method !== 'GET' && route.method !== 'DELETE';
  const withBody = (path: fc.Arbitrary<string>, defect: string): fc.Arbitrary<Parts> =>
    takesBody && route.body
      ? fc
          .option(conforming(route.body, world) ?? fc.constant(undefined), { nil: undefined })
          .chain((body) =>
            path.map((url): Parts => ({
              method: route.method,
              url,
              defect,
              headers: body === undefined ? {} : { 'content-type': 'application/json' },
              ...(body === undefined ? {} : { payload: jsonText(body) }),
            })),
          )
      : path.map((url) => ({ method: route.method, url, defect, headers: {} }));

  // 1. A path parameter its pattern refuses, or (reading or acting on one thing) one that names nothing.
  for (const param of route.pathParams) {
    options.push(
      badPathValue(param).chain((bad) =>
        withBody(pathWith(route, world, { [param.name]: bad }), `bad path ${param.name}`),
      ),
    );
    if (param.name === 'id' && route.method !== 'DELETE')
      options.push(
        unknownId.chain((id) => withBody(pathWith(route, world, { id }), `unknown ${param.name}`)),
      );
  }
  if (route.path === '/fhir/R4/:type' || route.path === '/fhir/R4/:type/:id')
    options.push(
      fc
        .constantFrom('Observation', 'Xyzzy', 'Bundle', 'OperationOutcome')
        .chain((type) => withBody(pathWith(route, world, { type }), `unserved type ${type}`)),
    );

  // 2. The query.
  if (route.family === 'api' && route.query.length > 0)
    options.push(
      fc
        .tuple(pathWith(route, world), badApiQuery(route, world))
        .map(([path, [defect, pairs]]) => ({
          method: route.method,
          url: path + queryString(pairs),
          defect,
          headers: {},
        })),
    );
  if (route.path === '/fhir/R4/:type' || route.path === '/fhir/R4/:type/_search') {
    const served = fc.constantFrom(...world.fhirTypes);
    options.push(
      served.chain((t) =>
        fc
          .tuple(pathWith(route, world, { type: t.type }), badFhirSearch(t.params), fc.boolean())
          .map(([path, [defect, pairs], asForm]): Parts =>
            route.method === 'GET'
              ? { method: 'GET', url: path + queryString(pairs), defect, headers: {} }
              : asForm
                ? {
                    method: 'POST',
                    url: path,
                    defect,
                    headers: { 'content-type': 'application/x-www-form-urlencoded' },
                    payload: queryString(pairs).slice(1),
                  }
                : {
                    method: 'POST',
                    url: path,
                    defect,
                    headers: { 'content-type': fhirJson },
                    payload: jsonText(
                      pairs.reduce<Record<string, string | string[]>>((o, [k, v]) => {
                        const had = Object.hasOwn(o, k) ? o[k] : undefined;
                        return { ...o, [k]: had === undefined ? v : [had, v].flat() };
                      }, {}),
                    ),
                  },
          ),
      ),
    );
  }
  if (route.path === '/fhir/R4/$export' || route.path === '/fhir/R4/Group/:id/$export') {
    const exportDefect: fc.Arbitrary<[string, [string, string][], boolean]> = fc.oneof(
      fc.constant<[string, [string, string][], boolean]>(['no Prefer', [], false]),
      fc
        .tuple(
          hostileText.filter((k) => k !== '' && !['_type', '_since', '_outputFormat'].includes(k)),
          hostileText,
        )
        .map(([k, v]): [string, [string, string][], boolean] => [
          `unknown export ${k.slice(0, 20)}`,
          [[k, v]],
          true,
        ]),
      fc
        .constantFrom('Observation', 'Patient,,Group', '', "Patient' or 1=1--", 'patient')
        .map((v): [string, [string, string][], boolean] => ['bad _type', [['_type', v]], true]),
      fc
        .constantFrom('2025-02-30T00:00:00Z', 'yesterday', '2025-03-03', '2025-03-03T10:00:00', '')
        .map((v): [string, [string, string][], boolean] => ['bad _since', [['_since', v]], true]),
      fc
        .constantFrom('text/csv', 'application/json', '')
        .map((v): [string, [string, string][], boolean] => [
          'bad _outputFormat',
          [['_outputFormat', v]],
          true,
        ]),
      fc.constant<[string, [string, string][], boolean]>([
        '_type twice',
        [
          ['_type', 'Patient'],
          ['_type', 'Patient'],
        ],
        true,
      ]),
    );
    options.push(
      fc
        .tuple(pathWith(route, world), exportDefect)
        .map(([path, [defect, pairs, prefer]]): Parts => ({
          method: 'GET',
          url: path + queryString(pairs),
          defect,
          headers: prefer ? { prefer: 'respond-async' } : {},
        })),
    );
  }

  // 3. The body.
  const badBody =
    takesBody && route.body && route.path !== '/api/v1/outside-providers/import'
      ? badJsonBody(route.body, world)
      : undefined;
  if (badBody) {
    options.push(
      fc.tuple(pathWith(route, world), badBody).map(([url, [defect, body]]) => ({
        method: route.method,
        url,
        defect,
        headers: { 'content-type': route.family === 'fhir' ? fhirJson : 'application/json' },
        payload: jsonText(body),
      })),
    );
  }
  if (route.path === '/fhir/R4' && route.method === 'POST') options.push(badBundle(world));
  if (route.path === '/api/v1/outside-providers/import') options.push(badDirectory());
  if (takesBody)
    options.push(
      fc
        .tuple(pathWith(route, world), unreadableBody(route.body !== undefined))
        .map(([url, [defect, type, payload]]) => ({
          method: route.method,
          url,
          defect,
          headers: { 'content-type': type },
          payload,
        })),
    );
  return options.length > 0 ? fc.oneof(...options) : undefined;
}

/** FHIR transaction Bundles that must be refused whole. */
function badBundle(world: World): fc.Arbitrary<Parts> {
  const patient = (extra: Record<string, unknown>) => ({
    resource: { resourceType: 'Patient', name: [{ family: 'Fuzz', given: ['Test'] }], ...extra },
    request: { method: 'POST', url: 'Patient' },
  });
  const bundle = (entry: unknown, type: unknown = 'transaction') => ({
    resourceType: 'Bundle',
    type,
    entry,
  });
  const body: fc.Arbitrary<[string, unknown]> = fc.oneof(
    hostileValue.map((v): [string, unknown] => ['not a Bundle', v]),
    fc
      .constantFrom('Patient', 'bundle', 'OperationOutcome', '')
      .map((t): [string, unknown] => [
        'not a Bundle',
        { resourceType: t, type: 'transaction', entry: [] },
      ]),
    fc
      .oneof(hostileText, fc.constantFrom('searchset', 'collection', 'history', 'document'))
      .filter((t) => t !== 'transaction' && t !== 'batch')
      .map((t): [string, unknown] => ['bad Bundle.type', bundle([], t)]),
    hostileValue
      .filter((e) => !Array.isArray(e) && e !== undefined && e !== null)
      .map((e): [string, unknown] => ['bad Bundle.entry', bundle(e)]),
    fc
      .array(
        hostileValue.filter((e) => typeof e !== 'object' || e === null || Array.isArray(e)),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map((entries): [string, unknown] => ['entries not objects', bundle(entries)]),
    fc
      .constantFrom('GET', 'DELETE', 'PATCH', '', 'post')
      .map((method): [string, unknown] => [
        'bad request.method',
        bundle([{ ...patient({}), request: { method, url: 'Patient' } }]),
      ]),
    fc
      .constantFrom(
        { birthDate: '2025-02-30' },
        { birthDate: 19900101 },
        { birthDate: 'yesterday' },
        { gender: 'robot' },
        { id: "' or 1=1--" },
        { id: '../../etc/passwd' },
        { id: 'x'.repeat(65) },
        { name: 'Fuzz' },
        { identifier: 'MRN-1' },
        { identifier: [{ system: 42, value: {} }] },
        { managingOrganization: { reference: "Organization/' or 1=1--" } },
      )
      .chain((extra) =>
        realId(world, 'patient').map((id): [string, unknown] => [
          `bad Patient ${Object.keys(extra).join()}`,
          bundle([patient({ ...extra }), patient({ id, birthDate: '1990-01-01' })]),
        ]),
      ),
    fc.constant<[string, unknown]>([
      'deeply nested resource',
      bundle([
        patient({
          birthDate: '2025-02-30',
          extension: deeplyNested,
        }),
      ]),
    ]),
    fc.constant<[string, unknown]>([
      'too many entries',
      bundle(Array.from({ length: 10_001 }, () => ({ resource: { resourceType: 'Basic' } }))),
    ]),
  );
  return body.map(([defect, value]) => ({
    method: 'POST',
    url: '/fhir/R4',
    defect,
    headers: { 'content-type': fhirJson },
    payload: jsonText(value),
  }));
}

/** Provider directory files an import must refuse (nothing written). */
function badDirectory(): fc.Arbitrary<Parts> {
  const header = 'name,languages,modality,lat,lon,weekly_capacity';
  const csv: fc.Arbitrary<[string, string]> = fc.oneof(
    fc.constant<[string, string]>(['empty CSV', '']),
    hostileText
      .filter((h) => h.trim() !== '' && !h.includes(',') && !h.includes('\n'))
      .map((h): [string, string] => [
        'unknown CSV column',
        `${header},${h}\nA,en,virtual,34,-118,5,x\n`,
      ]),
    fc.constant<[string, string]>(['missing CSV columns', 'name,languages\nA,en\n']),
    fc
      .tuple(hostileText, hostileText)
      .map(([a, b]): [string, string] => [
        'bad CSV row',
        `${header}\n${JSON.stringify(a)},en,teleport,${JSON.stringify(b)},-999,-1\n`,
      ]),
    fc.constant<[string, string]>(['unclosed CSV quote', `${header}\n"A,en,virtual,34,-118,5\n`]),
  );
  const hsds: fc.Arbitrary<[string, string]> = fc.oneof(
    fc
      .constantFrom('{', 'null', '42', '"x"', '{"contents": 5}')
      .map((t): [string, string] => ['bad HSDS', t]),
    fc
      .array(hostileValue, { minLength: 1, maxLength: 3 })
      .map((items): [string, string] => ['bad HSDS services', jsonText([...items, 7])]),
  );
  return fc.oneof(
    csv.map(([defect, text]) => ({
      method: 'POST',
      url: '/api/v1/outside-providers/import?format=csv',
      defect,
      headers: { 'content-type': 'text/csv' },
      payload: text,
    })),
    hsds.map(([defect, text]) => ({
      method: 'POST',
      url: '/api/v1/outside-providers/import?format=hsds',
      defect,
      headers: { 'content-type': 'application/json' },
      payload: text,
    })),
    fc.constantFrom('xml', 'CSV', '', 'csv,hsds').map((format) => ({
      method: 'POST',
      url: `/api/v1/outside-providers/import?format=${format}`,
      defect: 'bad format',
      headers: { 'content-type': 'text/csv' },
      payload: `${header}\n`,
    })),
  );
}
