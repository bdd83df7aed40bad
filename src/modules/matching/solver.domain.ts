/**
 * Exact min-cost re-matching: patients (supply 1) → options (capacity) → sink, with a direct
 * patient → sink arc for *unmatched* at a risk-weighted penalty.
 *
 * Two stages:
 * 1. Warm start (`solver-auction.domain.ts`): a forward-reverse auction with ε-scaling, which
 *    gets every patient within 1/16 of a cost unit of its best choice quickly even on large, tight
 *    instances (and starts ε low when seats are plentiful: see `auction`). Or, on request, a greedy start at zero prices (each patient takes its cheapest
 *    option if it has room), or given start prices (a previous run's) with everyone to place.
 * 2. Exact phase (`solver-paths.domain.ts`): patients whose place is not exactly one of their
 *    cheapest at the warm-start prices are freed, and primal-dual shortest paths re-place them
 *    while keeping complementary slackness. Its result is optimal whatever the warm start was;
 *    the warm start only decides how much work is left.
 *
 * The answer carries integer duals (patient potentials and option prices) that prove it optimal;
 * `verifyOptimality` checks them, and the solver does so itself when `debug` is set.
 *
 * Ties: patients, edges and options are visited in index order and the heap pops equal keys by
 * index, so the same instance always gives the same plan.
 */
import { auction } from './solver-auction.domain.ts';
import {
  optionCountOf,
  patientCountOf,
  UNMATCHED,
  validateInstance,
  type MatchingInstance,
  type MatchingSolution,
  type SolverStats,
} from './solver-instance.domain.ts';
import { FREE, shortestPaths, type Network, type PathState } from './solver-paths.domain.ts';
import { verifyOptimality } from './solver-verify.domain.ts';

export type WarmStart = 'auction' | 'greedy';

export interface SolveOptions {
  /** Check the answer against its own duals and throw if the check fails. */
  readonly debug?: boolean;
  /** How to start (default: auction). The answer is optimal either way. */
  readonly warmStart?: WarmStart;
  /**
   * Start instead from these option prices (integers ≥ 0), for example a previous run's, with
   * every patient still to place. The answer is optimal whatever they are.
   */
  readonly prices?: Float64Array;
}

/**
 * Solves the instance exactly. Throws a RangeError for a malformed instance, and an Error when
 * `debug` is set and the optimality self-check fails (which would be a bug).
 */
export function solveMatching(
  instance: MatchingInstance,
  options: SolveOptions = {},
): MatchingSolution {
  validateInstance(instance);
  const network = networkOf(instance);
  const warmStart = options.warmStart ?? 'auction';
  let start: { placedBy: Int32Array; price: Float64Array; bids: number; phases: number };
  if (options.prices !== undefined) {
    start = fromPrices(network, options.prices);
  } else {
    switch (warmStart) {
      case 'auction':
        start = auction(network);
        break;
      case 'greedy':
        start = greedy(network);
        break;
    }
  }
  const { placedBy, price } = start;
  // An option without seats is never an alternative: an infinite price keeps it out of every
  // comparison and every shortest path (its real dual is set in `finish`).
  for (let o = 0; o < price.length; o++) {
    if (network.capacity[o] === 0) price[o] = Number.POSITIVE_INFINITY;
  }
  const kept = keepTight(network, placedBy, price);
  const flow = new Int32Array(price.length);
  for (let i = 0; i < placedBy.length; i++) {
    const edge = placedBy[i] ?? FREE;
    if (edge >= 0) {
      const option = network.edgeOption[edge] ?? 0;
      flow[option] = (flow[option] ?? 0) + 1;
    }
  }
  // An option priced above the sink is full in the flow; its empty seats are deficits.
  for (let o = 0; o < price.length; o++) {
    if ((price[o] ?? 0) > 0) flow[o] = network.capacity[o] ?? 0;
  }
  const state: PathState = { placedBy, price, flow, lambda: 0 };
  const paths = shortestPaths(network, state);
  preferSeats(network, state);
  const stats: SolverStats = {
    warmStart: options.prices === undefined ? warmStart : 'prices',
    warmStartPhases: start.phases,
    warmStartBids: start.bids,
    kept,
    ...paths,
  };
  const solution = finish(instance, state, stats);
  if (options.debug === true) {
    const check = verifyOptimality(instance, solution);
    if (!check.ok) {
      throw new Error(`re-matching solver self-check failed: ${check.problems.join('; ')}`);
    }
  }
  return solution;
}

/**
 * Caps each option's capacity at its number of edges (it can never hold more), which keeps the
 * seat table proportional to the edges even for an option with a huge capacity.
 */
function networkOf(instance: MatchingInstance): Network {
  const options = optionCountOf(instance);
  const capacity = new Int32Array(options);
  for (let e = 0; e < instance.edgeOption.length; e++) {
    const option = instance.edgeOption[e] ?? 0;
    capacity[option] = (capacity[option] ?? 0) + 1;
  }
  const slotStart = new Int32Array(options + 1);
  for (let o = 0; o < options; o++) {
    capacity[o] = Math.min(capacity[o] ?? 0, instance.optionCapacity[o] ?? 0);
    slotStart[o + 1] = (slotStart[o] ?? 0) + (capacity[o] ?? 0);
  }
  return { ...instance, capacity, slotStart };
}

/** At zero prices, each patient takes its cheapest option if it has room, or unmatched if cheaper. */
function greedy(network: Network) {
  const { edgeStart, edgeOption, edgeCost, unmatchedCost, capacity } = network;
  const patients = unmatchedCost.length;
  const placedBy = new Int32Array(patients).fill(FREE);
  const held = new Int32Array(capacity.length);
  for (let i = 0; i < patients; i++) {
    const end = edgeStart[i + 1] ?? 0;
    let best = unmatchedCost[i] ?? 0;
    for (let e = edgeStart[i] ?? 0; e < end; e++) best = Math.min(best, edgeCost[e] ?? 0);
    for (let e = edgeStart[i] ?? 0; e < end && placedBy[i] === FREE; e++) {
      const option = edgeOption[e] ?? 0;
      if (edgeCost[e] === best && (held[option] ?? 0) < (capacity[option] ?? 0)) {
        placedBy[i] = e;
        held[option] = (held[option] ?? 0) + 1;
      }
    }
    if (placedBy[i] === FREE && unmatchedCost[i] === best) placedBy[i] = UNMATCHED;
  }
  return { placedBy, price: new Float64Array(capacity.length), bids: 0, phases: 0 };
}

function fromPrices(network: Network, prices: Float64Array) {
  if (prices.length !== network.capacity.length) {
    throw new RangeError(
      `prices has ${prices.length} entries, expected ${network.capacity.length}`,
    );
  }
  for (const value of prices) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError('start prices must be integers ≥ 0');
    }
  }
  const placedBy = new Int32Array(network.unmatchedCost.length).fill(FREE);
  return { placedBy, price: Float64Array.from(prices), bids: 0, phases: 0 };
}

/**
 * Frees every patient not placed on one of its cheapest alternatives at these prices (the exact
 * phase starts from exact complementary slackness). Returns how many stay placed.
 */
function keepTight(network: Network, placedBy: Int32Array, price: Float64Array): number {
  const { edgeStart, edgeOption, edgeCost, unmatchedCost } = network;
  let kept = 0;
  for (let i = 0; i < placedBy.length; i++) {
    const current = placedBy[i] ?? FREE;
    if (current === FREE) continue;
    const end = edgeStart[i + 1] ?? 0;
    let best = unmatchedCost[i] ?? 0;
    for (let e = edgeStart[i] ?? 0; e < end; e++) {
      best = Math.min(best, (edgeCost[e] ?? 0) + (price[edgeOption[e] ?? 0] ?? 0));
    }
    const value =
      current < 0
        ? (unmatchedCost[i] ?? 0)
        : (edgeCost[current] ?? 0) + (price[edgeOption[current] ?? 0] ?? 0);
    if (value === best) kept++;
    else placedBy[i] = FREE;
  }
  return kept;
}

/**
 * Among equally cheap plans, a seat is better than escalation: an unmatched patient whose edge to
 * an option with a free seat costs exactly its penalty moves there. The option is priced like the
 * sink (it has room), so every price stays valid and the objective is unchanged.
 */
function preferSeats(network: Network, state: PathState): void {
  const { edgeStart, edgeOption, edgeCost, unmatchedCost, capacity } = network;
  const { placedBy, price, lambda } = state;
  const held = new Int32Array(capacity.length);
  for (const edge of placedBy) {
    if (edge >= 0) held[edgeOption[edge] ?? 0] = (held[edgeOption[edge] ?? 0] ?? 0) + 1;
  }
  for (let i = 0; i < placedBy.length; i++) {
    if (placedBy[i] !== UNMATCHED) continue;
    const penalty = unmatchedCost[i] ?? 0;
    for (let e = edgeStart[i] ?? 0; e < (edgeStart[i + 1] ?? 0); e++) {
      const option = edgeOption[e] ?? 0;
      if (
        (held[option] ?? 0) < (capacity[option] ?? 0) &&
        price[option] === lambda &&
        edgeCost[e] === penalty
      ) {
        placedBy[i] = e;
        held[option] = (held[option] ?? 0) + 1;
        break;
      }
    }
  }
}

/** Turns the final state into the plan, its objective and the integer duals (sink price 0). */
function finish(
  instance: MatchingInstance,
  state: PathState,
  stats: SolverStats,
): MatchingSolution {
  const { edgeStart, edgeOption, edgeCost, optionCapacity, unmatchedCost } = instance;
  const patients = patientCountOf(instance);
  const options = optionCountOf(instance);
  const { placedBy, price, lambda } = state;
  const held = new Int32Array(options);
  for (let i = 0; i < patients; i++) {
    const edge = placedBy[i] ?? UNMATCHED;
    if (edge >= 0) held[edgeOption[edge] ?? 0] = (held[edgeOption[edge] ?? 0] ?? 0) + 1;
  }
  const optionPrice = new Float64Array(options);
  // Relative to the sink. An option below its real capacity is priced 0: it is either below its
  // capacity in the flow too (so priced at most the sink's price), or holds every patient with an
  // edge to it (capacity capped by its edges), so lowering its price breaks no constraint.
  for (let o = 0; o < options; o++) {
    optionPrice[o] =
      optionCapacity[o] === 0 || (held[o] ?? 0) < (optionCapacity[o] ?? 0)
        ? 0
        : Math.max(0, (price[o] ?? 0) - lambda);
  }
  const assignment = new Int32Array(patients);
  const patientPotential = new Float64Array(patients);
  let objective = 0;
  for (let i = 0; i < patients; i++) {
    const edge = placedBy[i] ?? UNMATCHED;
    if (edge < 0) {
      assignment[i] = UNMATCHED;
      patientPotential[i] = unmatchedCost[i] ?? 0;
      objective += unmatchedCost[i] ?? 0;
    } else {
      const option = edgeOption[edge] ?? 0;
      assignment[i] = option;
      patientPotential[i] = (edgeCost[edge] ?? 0) + (optionPrice[option] ?? 0);
      objective += edgeCost[edge] ?? 0;
    }
  }
  // An option with no seats at all is "full": price it just high enough for every edge into it.
  const seatless = optionCapacity.includes(0);
  for (let i = 0; i < patients && seatless; i++) {
    for (let e = edgeStart[i] ?? 0; e < (edgeStart[i + 1] ?? 0); e++) {
      const option = edgeOption[e] ?? 0;
      if (optionCapacity[option] !== 0) continue;
      const needed = (patientPotential[i] ?? 0) - (edgeCost[e] ?? 0);
      if (needed > (optionPrice[option] ?? 0)) optionPrice[option] = needed;
    }
  }
  return { assignment, objective, patientPotential, optionPrice, stats };
}
