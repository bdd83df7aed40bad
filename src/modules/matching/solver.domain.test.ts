import fc from 'fast-check';
import highsPackage from 'highs';
import { describe, expect, it } from 'vitest';
import { solveMatching } from './solver.domain.ts';
import { buildInstance, UNMATCHED, type MatchingInstance } from './solver-instance.domain.ts';
import { verifyOptimality } from './solver-verify.domain.ts';

// highs loads as an ES module at run time, but its types describe the CommonJS entry, whose
// default export TypeScript then sees as the whole namespace.
const loadHighs = highsPackage as unknown as typeof highsPackage.default;
type Highs = Awaited<ReturnType<typeof loadHighs>>;
let highsModule: Promise<Highs> | undefined;
const highs = () => (highsModule ??= loadHighs());

/** The same problem as an LP in CPLEX LP format; its optimum is integral (a network matrix). */
function toLp(instance: MatchingInstance): string {
  const { edgeStart, edgeOption, edgeCost, optionCapacity, unmatchedCost } = instance;
  const terms: string[] = [];
  const rows: string[] = [];
  const byOption: string[][] = Array.from({ length: optionCapacity.length }, () => []);
  for (let i = 0; i < unmatchedCost.length; i++) {
    const row = [`y${i}`];
    terms.push(`${unmatchedCost[i] ?? 0} y${i}`);
    for (let e = edgeStart[i] ?? 0; e < (edgeStart[i + 1] ?? 0); e++) {
      terms.push(`${edgeCost[e] ?? 0} x${e}`);
      row.push(`x${e}`);
      byOption[edgeOption[e] ?? 0]?.push(`x${e}`);
    }
    rows.push(` p${i}: ${row.join(' + ')} = 1`);
  }
  byOption.forEach((vars, o) => {
    if (vars.length > 0) rows.push(` o${o}: ${vars.join(' + ')} <= ${optionCapacity[o] ?? 0}`);
  });
  // Short lines: LP readers limit the line length.
  const objective: string[] = [];
  for (let k = 0; k < terms.length; k += 8) objective.push(` ${terms.slice(k, k + 8).join(' + ')}`);
  return `Minimize\n obj:${objective.join('\n +')}\nSubject To\n${rows.join('\n')}\nEnd\n`;
}

async function oracleObjective(instance: MatchingInstance): Promise<number> {
  if (instance.unmatchedCost.length === 0) return 0;
  const result = (await highs()).solve(toLp(instance), { output_flag: false });
  if (result.Status !== 'Optimal') throw new Error(`HiGHS: ${result.Status}`);
  return result.ObjectiveValue;
}

const solve = (instance: MatchingInstance) => solveMatching(instance, { debug: true });

describe('solveMatching on small cases', () => {
  it('solves an empty instance', () => {
    const solution = solve(buildInstance({ edges: [], optionCapacity: [], unmatchedCost: [] }));
    expect(solution.objective).toBe(0);
    expect(solution.assignment).toHaveLength(0);
  });

  it('leaves patients without candidates unmatched at their penalty', () => {
    const solution = solve(
      buildInstance({ edges: [[], []], optionCapacity: [3], unmatchedCost: [700, 900] }),
    );
    expect([...solution.assignment]).toEqual([UNMATCHED, UNMATCHED]);
    expect(solution.objective).toBe(1600);
  });

  it('never uses an option of capacity 0', () => {
    const solution = solve(
      buildInstance({
        edges: [[[0, 1]], [[0, 1]]],
        optionCapacity: [0],
        unmatchedCost: [500, 500],
      }),
    );
    expect([...solution.assignment]).toEqual([UNMATCHED, UNMATCHED]);
  });

  it('gives the last seat to the patient whose penalty is highest', () => {
    const solution = solve(
      buildInstance({
        edges: [[[0, 10]], [[0, 10]], [[0, 10]]],
        optionCapacity: [1],
        unmatchedCost: [1000, 3000, 2000],
      }),
    );
    expect([...solution.assignment]).toEqual([UNMATCHED, 0, UNMATCHED]);
    expect(solution.objective).toBe(3010);
    expect(solution.optionPrice[0]).toBeGreaterThan(0);
  });

  it('moves a patient to its second choice when that frees a seat for someone with no other', () => {
    const solution = solve(
      buildInstance({
        edges: [
          [
            [0, 1],
            [1, 2],
          ],
          [[0, 5]],
        ],
        optionCapacity: [1, 1],
        unmatchedCost: [100, 100],
      }),
    );
    expect([...solution.assignment]).toEqual([1, 0]);
    expect(solution.objective).toBe(7);
  });

  it('breaks ties the same way every time, preferring a seat to unmatched', () => {
    const tied = buildInstance({
      edges: [
        [
          [0, 5],
          [1, 5],
        ],
        [
          [1, 5],
          [0, 5],
        ],
        [[0, 5]],
      ],
      optionCapacity: [1, 1],
      unmatchedCost: [5, 5, 5],
    });
    const first = solve(tied);
    expect(first.objective).toBe(15);
    expect([...first.assignment]).toEqual([0, 1, UNMATCHED]);
    expect([...solve(tied).assignment]).toEqual([...first.assignment]);
  });

  it('uses the cheapest of parallel edges', () => {
    const solution = solve(
      buildInstance({
        edges: [
          [
            [0, 9],
            [0, 4],
          ],
        ],
        optionCapacity: [1],
        unmatchedCost: [100],
      }),
    );
    expect(solution.objective).toBe(4);
  });

  it('rejects an edge to a missing option', () => {
    const broken = buildInstance({ edges: [[[2, 1]]], optionCapacity: [1], unmatchedCost: [5] });
    expect(() => solve(broken)).toThrow(RangeError);
  });
});

/** mulberry32, so that a seed always gives the same instance. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A few thousand patients with `candidates` options each, drawn at random, a share `focus` of
 * them from the first `hot` share of the options: with a high focus those are short of seats
 * while the rest stay idle. Big enough for every stage of the solver to do real work.
 */
function buildLargerInstance(input: {
  seed: number;
  patients: number;
  options: number;
  candidates: number;
  hot: number;
  focus: number;
}): MatchingInstance {
  const random = seeded(input.seed);
  const hotOptions = Math.floor(input.options * input.hot);
  const edges = Array.from({ length: input.patients }, () => {
    const chosen = new Set<number>();
    while (chosen.size < input.candidates) {
      const pool = random() < input.focus ? hotOptions : input.options;
      chosen.add(Math.floor(random() * pool));
    }
    return [...chosen].map((option) => [option, Math.floor(random() * 10_001)] as const);
  });
  return buildInstance({
    edges,
    optionCapacity: Array.from({ length: input.options }, () => 1 + Math.floor(random() * 15)),
    unmatchedCost: Array.from(
      { length: input.patients },
      () => 20_000 * (1 + Math.floor(random() * 3)),
    ),
  });
}

// All have more seats than patients. The quick auction start holds on the first; on the second it
// is tried and gives way to the full schedule; on the third more than half the patients would be
// turned away from their first choice, and it is not tried at all.
describe('solveMatching on larger instances', () => {
  it.each([
    { name: 'seats to spare', seed: 1, hot: 1, focus: 0 },
    { name: 'seats short where wanted', seed: 2, hot: 0.3, focus: 0.7 },
    { name: 'seats very short where wanted', seed: 2, hot: 0.2, focus: 0.9 },
  ])('proves its plan optimal, with $name, and agrees with the greedy start', (shape) => {
    const instance = buildLargerInstance({
      patients: 3000,
      options: 450,
      candidates: 40,
      ...shape,
    });
    const solution = solve(instance);
    expect(verifyOptimality(instance, solution).problems).toEqual([]);
    const greedy = solveMatching(instance, { debug: true, warmStart: 'greedy' });
    expect(greedy.objective).toBe(solution.objective);
  });
});

describe('verifyOptimality', () => {
  const instance = buildInstance({
    edges: [[[0, 10]], [[0, 10]]],
    optionCapacity: [1],
    unmatchedCost: [1000, 3000],
  });

  it('accepts the solver answer', () => {
    expect(verifyOptimality(instance, solve(instance))).toEqual({ ok: true, problems: [] });
  });

  it('rejects a plan that overfills an option', () => {
    const solution = solve(instance);
    const check = verifyOptimality(instance, {
      ...solution,
      assignment: Int32Array.from([0, 0]),
      objective: 20,
    });
    expect(check.ok).toBe(false);
    expect(check.problems.join()).toMatch(/over a capacity/);
  });

  it('rejects a feasible but worse plan with its prices', () => {
    const check = verifyOptimality(instance, {
      assignment: Int32Array.from([0, UNMATCHED]),
      objective: 3010,
      patientPotential: Float64Array.from([10, 3000]),
      optionPrice: Float64Array.from([0]),
    });
    expect(check.ok).toBe(false);
  });

  it('rejects a price on an option with a free seat', () => {
    const check = verifyOptimality(
      buildInstance({ edges: [[[0, 10]]], optionCapacity: [2], unmatchedCost: [100] }),
      {
        assignment: Int32Array.from([0]),
        objective: 10,
        patientPotential: Float64Array.from([15]),
        optionPrice: Float64Array.from([5]),
      },
    );
    expect(check.problems.join()).toMatch(/seats taken/);
  });
});

/** Random sparse instances in the ranges the solver meets: small capacities, large penalties. */
const instanceArbitrary = fc
  .record({ patients: fc.integer({ min: 0, max: 60 }), options: fc.integer({ min: 1, max: 15 }) })
  .chain(({ patients, options }) =>
    fc.record({
      edges: fc.array(
        fc.uniqueArray(
          fc.tuple(fc.integer({ min: 0, max: options - 1 }), fc.integer({ min: 0, max: 1000 })),
          { maxLength: Math.min(options, 6), selector: ([option]) => option },
        ),
        { minLength: patients, maxLength: patients },
      ),
      optionCapacity: fc.array(fc.integer({ min: 0, max: 5 }), {
        minLength: options,
        maxLength: options,
      }),
      unmatchedCost: fc.array(fc.integer({ min: 500, max: 5000 }), {
        minLength: patients,
        maxLength: patients,
      }),
    }),
  )
  .map(buildInstance);

describe('solveMatching against the LP oracle (HiGHS)', () => {
  it('finds the LP optimum, proves it, and gives the same plan twice', async () => {
    await fc.assert(
      fc.asyncProperty(instanceArbitrary, async (instance) => {
        const solution = solve(instance);
        expect(verifyOptimality(instance, solution).problems).toEqual([]);
        expect(solution.objective).toBe(await oracleObjective(instance));
        expect([...solveMatching(instance).assignment]).toEqual([...solution.assignment]);
      }),
      { numRuns: 300 },
    );
  });

  it('finds it from the greedy start and from arbitrary start prices too', async () => {
    const withPrices = instanceArbitrary.chain((instance) =>
      fc.tuple(
        fc.constant(instance),
        fc
          .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })), {
            minLength: instance.optionCapacity.length,
            maxLength: instance.optionCapacity.length,
          })
          .map((prices) => Float64Array.from(prices)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(withPrices, async ([instance, prices]) => {
        const optimum = await oracleObjective(instance);
        expect(solveMatching(instance, { debug: true, warmStart: 'greedy' }).objective).toBe(
          optimum,
        );
        expect(solveMatching(instance, { debug: true, prices }).objective).toBe(optimum);
      }),
      { numRuns: 300 },
    );
  });

  it('also when many costs tie', async () => {
    const tiedCosts = instanceArbitrary.map((instance) => ({
      ...instance,
      edgeCost: instance.edgeCost.map((cost) => Math.round(cost / 250) * 250),
      unmatchedCost: instance.unmatchedCost.map((cost) => Math.round(cost / 1000) * 1000),
    }));
    await fc.assert(
      fc.asyncProperty(tiedCosts, async (instance) => {
        const solution = solve(instance);
        expect(solution.objective).toBe(await oracleObjective(instance));
        expect([...solveMatching(instance).assignment]).toEqual([...solution.assignment]);
      }),
      { numRuns: 150 },
    );
  });
});
