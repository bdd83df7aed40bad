/*
 * The load benchmark's client (bench/load.bench.ts starts it as a child process, so that the
 * load is generated outside the process that seeds and measures). Reads one scenario as JSON on
 * standard input, drives the server with autocannon for its duration, and writes the result as
 * JSON on standard output: each response's endpoint, status and latency, summed per endpoint and
 * per second, and autocannon's own totals (errors, timeouts).
 *
 * Requests are picked per connection at random by weight (a seeded generator, so two runs send
 * the same mix). Referral transitions take a referral from a shared pool, send the version last
 * read, and put the referral back with its new version and status when the answer comes: no two
 * connections ever move the same referral, so a conflict (409) would be a real finding.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface ReadEndpoint {
  name: string;
  weight: number;
  /** Paths to cycle through at random, e.g. one per patient id. */
  paths: string[];
}

export interface PooledReferral {
  id: string;
  version: number;
  status: string;
}

export interface Scenario {
  name: string;
  url: string;
  durationSeconds: number;
  connections: number;
  /** Bearer tokens: the coordinator's sends the mix; the administrator's the re-match. */
  coordinator: string;
  admin: string;
  reads: ReadEndpoint[];
  writes?: {
    transitionWeight: number;
    outreachWeight: number;
    referrals: PooledReferral[];
    outreachPatients: string[];
  };
  /**
   * Started this many seconds into the run; the run lasts until it answers and `tailSeconds`
   * more, at least, so that the reads after it are measured too.
   */
  rematch?: { disruptionId: string; afterSeconds: number; tailSeconds: number };
  /** The run lasts until this many answers came, at least (for slow endpoints run alone). */
  minimumResponses?: number;
  seed: number;
}

export interface Sample {
  endpoint: string;
  status: number;
  /** Milliseconds since the run started, when the answer came. */
  at: number;
  ms: number;
}

export interface ScenarioResult {
  name: string;
  elapsedMs: number;
  samples: Sample[];
  autocannon: {
    requests: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    p50: number;
    p99: number;
  };
  rematch?: { startedAt: number; ms: number; status: number; body: string };
  /** Referral transitions that succeeded. */
  referralsMoved: number;
  referralsLeft: number;
  /** CPU seconds this process (the load generator) used during the run. */
  driverCpuSeconds: number;
}

/** The next status on the happy path; the last step is 'completed'. */
const nextStatus: Record<string, string | undefined> = {
  draft: 'sent',
  sent: 'accepted',
  accepted: 'scheduled',
  scheduled: 'completed',
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Context {
  endpoint?: string;
  startedAt?: number;
  referral?: PooledReferral;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function drive(
  scenario: Scenario,
  onStart: () => void = () => undefined,
): Promise<ScenarioResult> {
  const random = mulberry32(scenario.seed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  };
  const pool = scenario.writes ? [...scenario.writes.referrals] : [];
  let referralsMoved = 0;

  type Choice = { kind: 'read'; endpoint: ReadEndpoint } | { kind: 'transition' | 'outreach' };
  const choices: { weight: number; choice: Choice }[] = [
    ...scenario.reads.map((endpoint) => ({
      weight: endpoint.weight,
      choice: { kind: 'read' as const, endpoint },
    })),
    ...(scenario.writes
      ? [
          { weight: scenario.writes.transitionWeight, choice: { kind: 'transition' } as Choice },
          { weight: scenario.writes.outreachWeight, choice: { kind: 'outreach' } as Choice },
        ]
      : []),
  ];
  const totalWeight = choices.reduce((sum, c) => sum + c.weight, 0);
  const choose = (): Choice => {
    let r = random() * totalWeight;
    for (const c of choices) {
      r -= c.weight;
      if (r < 0) return c.choice;
    }
    const last = choices.at(-1);
    if (!last) throw new Error('an empty mix');
    return last.choice;
  };

  const json = { 'content-type': 'application/json' };
  const outreach = (): autocannon.Request => ({
    method: 'POST',
    path: `/api/v1/patients/${pick(scenario.writes?.outreachPatients ?? [])}/outreach`,
    headers: json,
    body: JSON.stringify({ channel: 'in_person', outcome: pick(['reached', 'no_answer']) }),
  });
  const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

  const samples: Sample[] = [];
  let started = performance.now();
  const setupRequest = (request: autocannon.Request, raw: object): autocannon.Request => {
    const context = raw as Context;
    const choice = choose();
    let built: autocannon.Request;
    let endpoint: string;
    if (choice.kind === 'read') {
      endpoint = choice.endpoint.name;
      built = { method: 'GET', path: pick(choice.endpoint.paths) };
    } else if (choice.kind === 'transition' && pool.length > 0) {
      const index = Math.floor(random() * pool.length);
      const referral = pool[index];
      if (!referral) throw new Error('pool index out of range');
      pool[index] = pool[pool.length - 1] as PooledReferral;
      pool.pop();
      const to = nextStatus[referral.status] ?? 'completed';
      context.referral = referral;
      endpoint = `POST /referrals/:id/transitions (${to})`;
      built = {
        method: 'POST',
        path: `/api/v1/referrals/${referral.id}/transitions`,
        headers: json,
        body: JSON.stringify({
          version: referral.version,
          to,
          ...(to === 'scheduled' ? { firstAppointmentAt: inAWeek() } : {}),
        }),
      };
    } else {
      // Also when the pool of referrals is used up (or all in flight): record an outreach.
      endpoint = 'POST /patients/:id/outreach';
      built = outreach();
    }
    context.endpoint = endpoint;
    context.startedAt = performance.now();
    return {
      ...request,
      ...built,
      headers: { ...built.headers, authorization: scenario.coordinator },
    };
  };
  const onResponse = (status: number, body: string, raw: object) => {
    const context = raw as Context;
    const now = performance.now();
    samples.push({
      endpoint: context.endpoint ?? '?',
      status,
      at: now - started,
      ms: now - (context.startedAt ?? now),
    });
    const referral = context.referral;
    if (referral) {
      context.referral = undefined;
      if (status === 200) {
        const moved = (JSON.parse(body) as { referral: { version: number; status: string } })
          .referral;
        referralsMoved += 1;
        if (nextStatus[moved.status]) pool.push({ ...referral, ...moved });
      }
    }
  };

  let finish: (result: autocannon.Result) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const result = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: scenario.url,
      connections: scenario.connections,
      // Stopped by hand below, so that a re-match that outlasts the run is still waited for.
      duration: 600,
      timeout: 30,
      requests: [{ setupRequest, onResponse }],
    },
    (error: unknown, totals) => {
      if (error) fail(error);
      else finish(totals);
    },
  );
  onStart();
  started = performance.now();
  const cpuAtStart = process.cpuUsage();

  let rematch: ScenarioResult['rematch'];
  const rematchDone = scenario.rematch
    ? (async () => {
        const { disruptionId, afterSeconds, tailSeconds } = scenario.rematch ?? {
          disruptionId: '',
          afterSeconds: 0,
          tailSeconds: 0,
        };
        await new Promise((resolve) => setTimeout(resolve, afterSeconds * 1000));
        const startedAt = performance.now() - started;
        const response = await fetch(`${scenario.url}/api/v1/disruptions/${disruptionId}/rematch`, {
          method: 'POST',
          headers: { authorization: scenario.admin, 'content-type': 'application/json' },
          body: '{}',
        });
        const body = await response.text();
        rematch = {
          startedAt,
          ms: performance.now() - started - startedAt,
          status: response.status,
          body: response.ok ? '' : body.slice(0, 500),
        };
        await new Promise((resolve) => setTimeout(resolve, tailSeconds * 1000));
      })()
    : Promise.resolve();
  const minimum = new Promise((resolve) => setTimeout(resolve, scenario.durationSeconds * 1000));
  const enoughAnswers = (async () => {
    // Bounded: two minutes at most, however slow the endpoint.
    const limit = performance.now() + 120_000;
    while (samples.length < (scenario.minimumResponses ?? 0) && performance.now() < limit)
      await new Promise((resolve) => setTimeout(resolve, 100));
  })();
  await Promise.all([minimum, rematchDone, enoughAnswers]);
  instance.stop();
  const totals = await result;
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    name: scenario.name,
    elapsedMs: performance.now() - started,
    samples,
    autocannon: {
      requests: totals.requests.total,
      errors: totals.errors,
      timeouts: totals.timeouts,
      non2xx: totals.non2xx,
      p50: totals.latency.p50,
      p99: totals.latency.p99,
    },
    ...(rematch ? { rematch } : {}),
    referralsMoved,
    referralsLeft: pool.length,
    driverCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const scenario = JSON.parse(await readStdin()) as Scenario;
  // The first line tells the parent the load starts now (it meters CPU from here); the second
  // is the result.
  const result = await drive(scenario, () => process.stdout.write('started\n'));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
