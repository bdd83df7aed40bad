/**
 * The shape the re-matching solver works on: an assignment-shaped transportation problem.
 *
 * P patients each need one place; O options (a seat in a group, an outside provider, an individual
 * appointment) each take at most `optionCapacity[o]` patients. A patient may be placed only on an
 * option it has an edge to, at that edge's cost, or left *unmatched* at `unmatchedCost[i]` (the
 * risk-weighted penalty for escalating to a person). Edges are stored per patient (CSR): the edges
 * of patient i are `edgeStart[i] .. edgeStart[i + 1] - 1`.
 *
 * Every number is an integer. The solver works in floating point doubles, which are exact for
 * integers below 2^53; `validateInstance` refuses costs large enough to break that.
 */
export interface MatchingInstance {
  /** `edgeStart[i]` is the first edge of patient i; length P + 1, non-decreasing, from 0 to E. */
  readonly edgeStart: Int32Array;
  /** The option each edge leads to, in 0 .. O - 1. Length E. */
  readonly edgeOption: Int32Array;
  /** The cost of each edge, an integer (negative costs are allowed). Length E. */
  readonly edgeCost: Float64Array;
  /** Seats per option, an integer ≥ 0. Length O. */
  readonly optionCapacity: Int32Array;
  /** The cost of leaving each patient unmatched, an integer. Length P. */
  readonly unmatchedCost: Float64Array;
}

/** A plan and the integer prices that prove it optimal (see `verifyOptimality`). */
export interface MatchingSolution {
  /** The option each patient is placed on, or `UNMATCHED` (-1). Length P. */
  readonly assignment: Int32Array;
  /** Sum of the chosen edge costs and unmatched penalties. */
  readonly objective: number;
  /** Dual u_i of "patient i is placed once": u_i ≤ unmatched cost, u_i − p_o ≤ c_e. Length P. */
  readonly patientPotential: Float64Array;
  /** Dual p_o ≥ 0 of "option o holds at most its capacity"; positive only when o is full. Length O. */
  readonly optionPrice: Float64Array;
  readonly stats: SolverStats;
}

/** How much work a solve took: useful in benchmarks, never needed for the answer. */
export interface SolverStats {
  readonly warmStart: 'auction' | 'greedy' | 'prices';
  /** ε-scaling phases and bids of the auction (0 for the greedy start). */
  readonly warmStartPhases: number;
  readonly warmStartBids: number;
  /** Patients whose warm-start place was exactly optimal at its prices, kept as they were. */
  readonly kept: number;
  /** Rounds of the exact phase (each a multi-source Dijkstra, then augmentations). */
  readonly rounds: number;
  /** Options scanned by all Dijkstra rounds together. */
  readonly scannedOptions: number;
  /** Augmenting paths applied by the exact phase. */
  readonly augmentations: number;
}

export const UNMATCHED = -1;

/** |value| above this could make sums of costs inexact in doubles (2^53 with room for sums). */
const maxMagnitude = (count: number): number => Math.floor(Number.MAX_SAFE_INTEGER / (4 * count));

export const patientCountOf = (instance: MatchingInstance): number => instance.unmatchedCost.length;
export const optionCountOf = (instance: MatchingInstance): number => instance.optionCapacity.length;

/** Throws a RangeError naming the first inconsistency in the instance's arrays. */
export function validateInstance(instance: MatchingInstance): void {
  const { edgeStart, edgeOption, edgeCost, optionCapacity, unmatchedCost } = instance;
  const patients = unmatchedCost.length;
  const options = optionCapacity.length;
  const edges = edgeOption.length;
  if (edgeStart.length !== patients + 1) {
    throw new RangeError(`edgeStart has ${edgeStart.length} entries, expected ${patients + 1}`);
  }
  if (edgeCost.length !== edges) {
    throw new RangeError(`edgeCost has ${edgeCost.length} entries, expected ${edges}`);
  }
  if (edgeStart[0] !== 0 || edgeStart[patients] !== edges) {
    throw new RangeError(`edgeStart must run from 0 to ${edges}`);
  }
  for (let i = 0; i < patients; i++) {
    if ((edgeStart[i + 1] ?? 0) < (edgeStart[i] ?? 0)) {
      throw new RangeError(`edgeStart decreases at patient ${i}`);
    }
  }
  const limit = maxMagnitude(patients + options + edges + 2);
  const badCost = (value: number) => !Number.isInteger(value) || Math.abs(value) > limit;
  const tooLarge = (what: string) =>
    new RangeError(`${what} must be an integer with magnitude at most ${limit}`);
  for (let e = 0; e < edges; e++) {
    const option = edgeOption[e] ?? -1;
    if (option < 0 || option >= options) {
      throw new RangeError(`edge ${e} leads to option ${option}, outside 0..${options - 1}`);
    }
    if (badCost(edgeCost[e] ?? Number.NaN)) throw tooLarge(`edge ${e} cost`);
  }
  for (let o = 0; o < options; o++) {
    if ((optionCapacity[o] ?? -1) < 0) throw new RangeError(`option ${o} has negative capacity`);
  }
  for (let i = 0; i < patients; i++) {
    if (badCost(unmatchedCost[i] ?? Number.NaN)) throw tooLarge(`unmatched cost of patient ${i}`);
  }
}

/** Builds an instance from plain lists: handy in tests and small callers. */
export function buildInstance(input: {
  readonly edges: readonly (readonly (readonly [option: number, cost: number])[])[];
  readonly optionCapacity: readonly number[];
  readonly unmatchedCost: readonly number[];
}): MatchingInstance {
  const edgeStart = new Int32Array(input.edges.length + 1);
  const total = input.edges.reduce((sum, list) => sum + list.length, 0);
  const edgeOption = new Int32Array(total);
  const edgeCost = new Float64Array(total);
  let e = 0;
  input.edges.forEach((list, i) => {
    for (const [option, cost] of list) {
      edgeOption[e] = option;
      edgeCost[e] = cost;
      e++;
    }
    edgeStart[i + 1] = e;
  });
  return {
    edgeStart,
    edgeOption,
    edgeCost,
    optionCapacity: Int32Array.from(input.optionCapacity),
    unmatchedCost: Float64Array.from(input.unmatchedCost),
  };
}
