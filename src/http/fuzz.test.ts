import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { Context } from '../context.ts';
import { cliActor } from '../modules/auth/policy.domain.ts';
import { errorCatalogue } from '../shared/errors.ts';
import { bearerFor, describeEachEngine } from '../test/harness.ts';
import {
  badRequests,
  routesOf,
  type FuzzRequest,
  type RouteSpec,
  type World,
} from '../test/fuzz/requests.ts';
import { snapshot } from '../test/fuzz/snapshot.ts';

/*
 * Hostile input on every /api/v1 and /fhir/R4 route of the OpenAPI description (the FHIR routes
 * are in it too): requests malformed by construction, sent as an administrator (so validation and
 * the services are reached) and with no or forged credentials. Every answer must be a 4xx with a
 * stable error code, in time, with no stack or SQL in it, and the database must be unchanged.
 *
 * FUZZ_SEED and FUZZ_RUNS (requests per engine) replay or widen a run; the seed is printed.
 */

const seed = Number(process.env.FUZZ_SEED ?? 20_251_128);
const runs = Number(process.env.FUZZ_RUNS ?? 2500);
const timeoutMs = 10_000;

/** Text that only a leaked stack trace or database error would put in an answer. */
const leaks = [
  /\n\s+at .+\(.*:\d+:\d+\)/,
  /node_modules/,
  /\.(ts|js):\d+/,
  /syntax error at or near/i,
  /invalid input syntax for/i,
  /violates (foreign key|unique|check|not-null) constraint/i,
  /duplicate key value/i,
  /relation "\w+" does not exist/i,
  /column "\w+" (of relation|does not exist)/i,
  /\bpg_catalog\b|\bkysely\b/i,
  /unterminated quoted string/i,
  /out of range for type/i,
];

interface Outcome {
  ok: boolean;
  status: number | 'hang';
  problem?: string;
}

/** Judges one answer; `problem` says what is wrong with it. */
function judge(
  route: RouteSpec,
  request: FuzzRequest,
  response: { statusCode: number; body: string },
): Outcome {
  const status = response.statusCode;
  const fail = (problem: string): Outcome => ({ ok: false, status, problem });
  if (status < 400 || status > 499) return fail(`answered ${status}`);
  // A path the router cannot take (a mangled id) is refused before any route, so before sign-in.
  if (request.anonymous && status !== 401 && !request.defect.includes('bad path'))
    return fail(`answered ${status} to no credentials`);
  const leak = leaks.find((re) => re.test(response.body));
  if (leak) return fail(`leaks ${leak.source}`);
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return fail('answer is not JSON');
  }
  // A route the router cannot match (a mangled path) falls to the family's not-found handler.
  const code =
    route.family === 'fhir'
      ? (
          body as {
            resourceType?: unknown;
            issue?: { details?: { coding?: { code?: unknown }[] } }[];
          }
        ).resourceType === 'OperationOutcome'
        ? (body as { issue?: { details?: { coding?: { code?: unknown }[] } }[] }).issue?.[0]
            ?.details?.coding?.[0]?.code
        : undefined
      : (body as { error?: { code?: unknown; message?: unknown } }).error?.code;
  if (typeof code !== 'string' || !(code in errorCatalogue)) {
    const given = /"code":"(\w+)"/.exec(response.body)?.[1] ?? 'none';
    return fail(`no stable error code (code ${given})`);
  }
  if (errorCatalogue[code as keyof typeof errorCatalogue] !== status)
    return fail(`code ${code} with status ${status}`);
  if (route.family === 'api') {
    const message = (body as { error: { message?: unknown } }).error.message;
    if (typeof message !== 'string' || message === '') return fail('no error message');
  }
  return { ok: true, status };
}

async function maxAuditSeq(context: Context): Promise<number> {
  const row = await context.db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return row?.seq ?? 0;
}

/** inject, or 'hang' after the timeout. */
async function send(app: FastifyInstance, request: FuzzRequest) {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => {
      resolve('hang');
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      app.inject({
        method: request.method as InjectOptions['method'],
        url: request.url,
        headers: request.headers,
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      }),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A request as a reader can replay it, long values shortened. */
function show(request: FuzzRequest, admin: string): string {
  const cut = (text: string) =>
    text.length > 300 ? `${text.slice(0, 300)}…(${text.length})` : text;
  const headers = Object.entries(request.headers)
    .map(([k, v]) => `${k}: ${v === admin ? '<admin token>' : cut(v)}`)
    .join('; ');
  return `${request.method} ${cut(request.url)} [${headers}]${request.payload === undefined ? '' : ` ${cut(request.payload)}`}`;
}

describeEachEngine('hostile requests on every route', (use) => {
  let routes: RouteSpec[] = [];
  let world: World = { ids: {}, fhirTypes: [] };
  let admin = '';

  beforeAll(async () => {
    const { context, raw } = use();
    const services = context.servicesFor(cliActor('fuzz'));
    await services.seed.seed({ scale: 'demo', seed: 1 });
    // A disruption applied and re-matched, so runs, proposals and referrals exist to aim at.
    const [strike] = (await services.disruptions.list({ status: 'draft' }, { limit: 5 })).items;
    if (strike) {
      await services.disruptions.apply(strike.id);
      const run = await services.matching.rematch(strike.id);
      await services.matching.decideMany(run.id, 'approved', null);
      await services.matching.commit(run.id);
    }
    routes = routesOf(raw.swagger() as Parameters<typeof routesOf>[0]);
    const ids: Record<string, string[]> = {};
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.columns
       where table_schema = current_schema() and column_name = 'id' and data_type = 'uuid'`.execute(
      context.db,
    );
    for (const { table_name: table } of rows) {
      const found = await sql<{ id: string }>`
        select id from ${sql.table(table)} order by id limit 5`.execute(context.db);
      if (found.rows.length > 0) ids[table] = found.rows.map((r) => r.id);
    }
    const metadata = (await raw.inject('/fhir/R4/metadata')).json<{
      rest: { resource: { type: string; searchParam?: { name: string; type: string }[] }[] }[];
    }>();
    world = {
      ids,
      fhirTypes: (metadata.rest[0]?.resource ?? []).map((r) => ({
        type: r.type,
        params: r.searchParam ?? [],
      })),
    };
    admin = await bearerFor(context, 'admin');
    // Seeding and re-matching take a while on a busy machine.
  }, 240_000);

  it('refuses every malformed request with a 4xx and a stable code, in time, writing nothing', async () => {
    const { context, raw } = use();
    expect(routes.length).toBeGreaterThan(80);
    expect(world.fhirTypes.length).toBeGreaterThan(3);
    const fuzzed = routes.flatMap((route) => {
      const requests = badRequests(route, world, admin);
      return requests ? [{ route, requests }] : [];
    });
    const skipped = routes.filter((r) => !fuzzed.some((f) => f.route === r));
    const arbitrary = fc
      .constantFrom(...fuzzed)
      .chain(({ route, requests }) => requests.map((request) => ({ route, request })));
    const samples = fc.sample(arbitrary, { seed, numRuns: runs });

    const before = await snapshot(context.db);
    const lastSeq = await maxAuditSeq(context);
    const failures = new Map<string, { count: number; example: string; routes: Set<string> }>();
    const perFamily: Record<string, number> = {};
    const perStatus: Record<string, number> = {};
    const started = performance.now();
    for (const { route, request } of samples) {
      const response = await send(raw, request);
      const outcome: Outcome =
        response === 'hang'
          ? { ok: false, status: 'hang', problem: `no answer in ${timeoutMs} ms` }
          : judge(route, request, response);
      const family = route.path.split('/').slice(0, 4).join('/');
      perFamily[family] = (perFamily[family] ?? 0) + 1;
      perStatus[String(outcome.status)] = (perStatus[String(outcome.status)] ?? 0) + 1;
      if (!outcome.ok) {
        // One line per kind of failure (defect and problem), with the routes it was seen on.
        const key = `${request.defect.split(' ').slice(0, 2).join(' ')}…: ${outcome.problem ?? ''}`;
        const example = show(request, admin);
        const seen = failures.get(key) ?? { count: 0, example, routes: new Set<string>() };
        seen.count += 1;
        seen.routes.add(`${route.method} ${route.path}`);
        if (example.length < seen.example.length) seen.example = example;
        failures.set(key, seen);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const after = await snapshot(context.db);
    // What the trail gained, when the run wrote to it: actions only, never patient data.
    const added = await context.db
      .selectFrom('audit_event')
      .select(['action', 'entity', 'outcome'])
      .where('seq', '>', lastSeq)
      .where('outcome', '<>', 'denied')
      .where('action', '<>', 'outside_provider.import')
      .execute();

    console.log(
      [
        `fuzz: ${samples.length} malformed requests on ${fuzzed.length} routes in ${seconds.toFixed(1)} s (seed ${seed}; FUZZ_SEED and FUZZ_RUNS replay or widen)`,
        `  by family: ${Object.entries(perFamily)
          .sort(([, a], [, b]) => b - a)
          .map(([f, n]) => `${f} ${n}`)
          .join(', ')}`,
        ...added.map((e) => `  AUDITED ${e.outcome} ${e.action} (${e.entity})`),
        `  by status: ${Object.entries(perStatus)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')}`,
        `  not fuzzed (public, and taking no input): ${skipped.map((r) => `${r.method} ${r.path}`).join(', ')}`,
        ...[...failures].map(
          ([key, f]) =>
            `  FAIL ×${f.count} ${key}\n      on ${[...f.routes].join(', ')}\n      e.g. ${f.example}`,
        ),
      ].join('\n'),
    );
    // Soft, so that a run with failures still says whether it wrote anything.
    expect.soft([...failures.keys()]).toEqual([]);
    expect(after).toEqual(before);
  }, 300_000);
});
