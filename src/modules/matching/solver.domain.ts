/**
 * Exact min-cost re-matching: patients (supply 1) → options (capacity) → sink, with a direct
 * patient → sink arc for *unmatched* at a risk-weighted penalty.
 *
 * Method: primal-dual successive shortest paths, specialised to this three-layer network.
 * - State: option prices p_o ≥ 0 (integers) and a partial plan in which every placed patient sits
 *   on one of its cheapest alternatives: c_io + p_o = u_i = min(M_i, min_o' c_io' + p_o'), and
 *   p_o > 0 only on full options. Those are the complementary-slackness conditions of the LP, so a
 *   plan that places everyone is optimal and (u, p) is the integer certificate.
 * - Greedy start: with all prices 0, each patient takes its cheapest option if it has room, or
 *   unmatched if that is cheaper. This keeps the conditions and places most patients when seats
 *   are plentiful.
 * - Rounds: a Dijkstra from all still-free patients at once over the residual graph (reduced costs
 *   are ≥ 0; the nodes are the options, a patient being passed through by the option that holds
 *   it) until the sink is reached at distance D; scanned options raise their price by D − d(o),
 *   which makes every shortest path to the sink tight; then a depth-first search along tight arcs
 *   applies as many disjoint augmenting paths as it finds (each moves a chain of patients and ends
 *   at a free seat or at unmatched). Every round places at least one patient.
 * - Ties: patients, edges and options are visited in index order and the heap pops equal keys by
 *   index, so the same instance always gives the same plan.
 */
import { IndexedMinHeap } from './solver-heap.domain.ts';
import {
  optionCountOf,
  patientCountOf,
  UNMATCHED,
  validateInstance,
  type MatchingInstance,
  type MatchingSolution,
} from './solver-instance.domain.ts';
import { verifyOptimality } from './solver-verify.domain.ts';

/** Marks a patient that is not placed yet (internal; never in a returned solution). */
const FREE = -2;

export interface SolveOptions {
  /** Check the answer against its own duals and throw if the check fails. */
  readonly debug?: boolean;
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
  const patients = patientCountOf(instance);
  const optionCount = optionCountOf(instance);
  const { edgeStart, edgeOption, edgeCost, optionCapacity, unmatchedCost } = instance;

  // An option can never hold more patients than have an edge to it: using that as its capacity
  // keeps the seat table proportional to the edges even for an option with a huge capacity.
  const capacity = new Int32Array(optionCount);
  for (let e = 0; e < edgeOption.length; e++) {
    const option = edgeOption[e] ?? 0;
    capacity[option] = (capacity[option] ?? 0) + 1;
  }
  const slotStart = new Int32Array(optionCount + 1);
  for (let o = 0; o < optionCount; o++) {
    capacity[o] = Math.min(capacity[o] ?? 0, optionCapacity[o] ?? 0);
    slotStart[o + 1] = (slotStart[o] ?? 0) + (capacity[o] ?? 0);
  }
  const seats = new Int32Array(slotStart[optionCount] ?? 0);
  const held = new Int32Array(optionCount);
  const seatOf = new Int32Array(patients);
  /** The edge each patient is placed by, or UNMATCHED, or FREE. */
  const placedBy = new Int32Array(patients).fill(FREE);
  const price = new Float64Array(optionCount);

  const seat = (patient: number, edge: number) => {
    placedBy[patient] = edge;
    if (edge < 0) return;
    const option = edgeOption[edge] ?? 0;
    const at = (slotStart[option] ?? 0) + (held[option] ?? 0);
    held[option] = (held[option] ?? 0) + 1;
    seats[at] = patient;
    seatOf[patient] = at;
  };
  const unseat = (patient: number) => {
    const edge = placedBy[patient] ?? FREE;
    placedBy[patient] = FREE;
    if (edge < 0) return;
    const option = edgeOption[edge] ?? 0;
    const last = (slotStart[option] ?? 0) + (held[option] ?? 0) - 1;
    held[option] = (held[option] ?? 0) - 1;
    const at = seatOf[patient] ?? 0;
    const moved = seats[last] ?? 0;
    seats[at] = moved;
    seatOf[moved] = at;
  };

  // Greedy start at zero prices.
  let freeCount = 0;
  const free = new Int32Array(patients);
  for (let i = 0; i < patients; i++) {
    const end = edgeStart[i + 1] ?? 0;
    let best = Number.POSITIVE_INFINITY;
    for (let e = edgeStart[i] ?? 0; e < end; e++) best = Math.min(best, edgeCost[e] ?? 0);
    const penalty = unmatchedCost[i] ?? 0;
    let placed = false;
    if (best <= penalty) {
      for (let e = edgeStart[i] ?? 0; e < end && !placed; e++) {
        const option = edgeOption[e] ?? 0;
        if (edgeCost[e] === best && (held[option] ?? 0) < (capacity[option] ?? 0)) {
          seat(i, e);
          placed = true;
        }
      }
    }
    if (!placed && penalty <= best) {
      seat(i, UNMATCHED);
      placed = true;
    }
    if (!placed) free[freeCount++] = i;
  }
  const greedyPlaced = patients - freeCount;

  const distance = new Float64Array(optionCount).fill(Number.POSITIVE_INFINITY);
  const heap = new IndexedMinHeap(optionCount, distance);
  const scanned = new Int32Array(optionCount);
  const touched = new Int32Array(optionCount);
  const sourcePotential = new Float64Array(patients);
  const visited = new Int32Array(optionCount);
  // Depth-first search stack: one frame per patient on the path.
  const stackPatient = new Int32Array(optionCount + 1);
  const stackEdge = new Int32Array(optionCount + 1);
  const stackPotential = new Float64Array(optionCount + 1);
  const stackOption = new Int32Array(optionCount + 1);
  const stackHolder = new Int32Array(optionCount + 1);
  let phases = 0;
  let scannedOptions = 0;
  let augmentations = 0;

  /** Moves the patients of stack frames 0..top along their chosen edges; the last may go unmatched. */
  const applyPath = (top: number, lastEdge: number) => {
    for (let k = 1; k <= top; k++) unseat(stackPatient[k] ?? 0);
    for (let k = 0; k < top; k++) seat(stackPatient[k] ?? 0, stackEdge[k] ?? 0);
    seat(stackPatient[top] ?? 0, lastEdge);
    augmentations++;
  };

  /** Looks for a tight path from a free patient to a free seat or to unmatched, and applies it. */
  const augmentFrom = (source: number, potential: number): boolean => {
    let top = 0;
    stackPatient[0] = source;
    stackEdge[0] = (edgeStart[source] ?? 0) - 1;
    stackPotential[0] = potential;
    stackOption[0] = -1;
    for (;;) {
      const patient = stackPatient[top] ?? 0;
      const through = stackOption[top] ?? -1;
      if (through >= 0) {
        // Try the next holder of the option this frame's edge led to.
        const h = stackHolder[top] ?? 0;
        if (h < (held[through] ?? 0)) {
          stackHolder[top] = h + 1;
          const next = seats[(slotStart[through] ?? 0) + h] ?? 0;
          top++;
          stackPatient[top] = next;
          stackEdge[top] = (edgeStart[next] ?? 0) - 1;
          stackPotential[top] = (edgeCost[placedBy[next] ?? 0] ?? 0) + (price[through] ?? 0);
          stackOption[top] = -1;
          continue;
        }
        stackOption[top] = -1;
      }
      const u = stackPotential[top] ?? 0;
      const end = edgeStart[patient + 1] ?? 0;
      let e = (stackEdge[top] ?? 0) + 1;
      for (; e < end; e++) {
        const option = edgeOption[e] ?? 0;
        if (visited[option] !== phases && (edgeCost[e] ?? 0) + (price[option] ?? 0) === u) break;
      }
      if (e < end) {
        const option = edgeOption[e] ?? 0;
        visited[option] = phases;
        stackEdge[top] = e;
        if ((held[option] ?? 0) < (capacity[option] ?? 0)) {
          applyPath(top, e);
          return true;
        }
        stackOption[top] = option;
        stackHolder[top] = 0;
        continue;
      }
      stackEdge[top] = end;
      if ((unmatchedCost[patient] ?? 0) === u) {
        applyPath(top, UNMATCHED);
        return true;
      }
      if (top === 0) return false;
      top--;
    }
  };

  while (freeCount > 0) {
    phases++;
    // Seed the Dijkstra with every free patient at distance 0 (its potential is its cheapest
    // alternative, so its own reduced costs are ≥ 0).
    let sink = Number.POSITIVE_INFINITY;
    let touchedCount = 0;
    for (let k = 0; k < freeCount; k++) {
      const i = free[k] ?? 0;
      const start = edgeStart[i] ?? 0;
      const end = edgeStart[i + 1] ?? 0;
      const penalty = unmatchedCost[i] ?? 0;
      let u = penalty;
      for (let e = start; e < end; e++) {
        u = Math.min(u, (edgeCost[e] ?? 0) + (price[edgeOption[e] ?? 0] ?? 0));
      }
      sourcePotential[k] = u;
      sink = Math.min(sink, penalty - u);
      for (let e = start; e < end; e++) {
        const option = edgeOption[e] ?? 0;
        const d = (edgeCost[e] ?? 0) + (price[option] ?? 0) - u;
        const old = distance[option] ?? 0;
        if (d < old) {
          if (old === Number.POSITIVE_INFINITY) touched[touchedCount++] = option;
          distance[option] = d;
          heap.pushOrDecrease(option);
        }
      }
    }
    let scannedCount = 0;
    while (heap.size > 0) {
      const option = heap.peek();
      const d = distance[option] ?? 0;
      if (d >= sink) break;
      heap.pop();
      // Reduced costs are ≥ 0, so no option is popped twice; if one were, they are not.
      if (scannedCount === optionCount) throw new Error('re-matching solver lost its duals (bug)');
      scanned[scannedCount++] = option;
      if ((held[option] ?? 0) < (capacity[option] ?? 0)) {
        sink = d; // a free seat: its price is 0, so the sink is as far as the option
        break;
      }
      const p = price[option] ?? 0;
      const first = slotStart[option] ?? 0;
      const last = first + (held[option] ?? 0);
      for (let s = first; s < last; s++) {
        const holder = seats[s] ?? 0;
        const base = d - (edgeCost[placedBy[holder] ?? 0] ?? 0) - p;
        sink = Math.min(sink, base + (unmatchedCost[holder] ?? 0));
        const end = edgeStart[holder + 1] ?? 0;
        for (let e = edgeStart[holder] ?? 0; e < end; e++) {
          const next = edgeOption[e] ?? 0;
          const nd = base + (edgeCost[e] ?? 0) + (price[next] ?? 0);
          const old = distance[next] ?? 0;
          if (nd < old) {
            if (old === Number.POSITIVE_INFINITY) touched[touchedCount++] = next;
            distance[next] = nd;
            heap.pushOrDecrease(next);
          }
        }
      }
    }
    scannedOptions += scannedCount;
    for (let k = 0; k < scannedCount; k++) {
      const option = scanned[k] ?? 0;
      const d = distance[option] ?? 0;
      if (d < sink) price[option] = (price[option] ?? 0) + (sink - d);
    }
    heap.clear();
    for (let k = 0; k < touchedCount; k++) distance[touched[k] ?? 0] = Number.POSITIVE_INFINITY;

    let stillFree = 0;
    for (let k = 0; k < freeCount; k++) {
      const i = free[k] ?? 0;
      if (!augmentFrom(i, (sourcePotential[k] ?? 0) + sink)) free[stillFree++] = i;
    }
    // A shortest path to the sink is tight after the price update, so a round always places
    // someone; if not, the invariants are broken and looping on would never end.
    if (stillFree === freeCount) throw new Error('re-matching solver made no progress (bug)');
    freeCount = stillFree;
  }

  const solution = finish(instance, placedBy, held, price, {
    greedyPlaced,
    phases,
    scannedOptions,
    augmentations,
  });
  if (options.debug === true) {
    const check = verifyOptimality(instance, solution);
    if (!check.ok) {
      throw new Error(`re-matching solver self-check failed: ${check.problems.join('; ')}`);
    }
  }
  return solution;
}

/** Turns the internal state into the plan, its objective and the integer duals. */
function finish(
  instance: MatchingInstance,
  placedBy: Int32Array,
  held: Int32Array,
  price: Float64Array,
  stats: MatchingSolution['stats'],
): MatchingSolution {
  const { edgeOption, edgeCost, optionCapacity, unmatchedCost } = instance;
  const patients = placedBy.length;
  // An option below its real capacity must be priced 0. One can be "full" internally with a
  // positive price only when every patient with an edge to it sits on it, so lowering the price
  // (and with it those patients' potentials) breaks no other constraint.
  for (let o = 0; o < price.length; o++) {
    if ((held[o] ?? 0) < (optionCapacity[o] ?? 0)) price[o] = 0;
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
      patientPotential[i] = (edgeCost[edge] ?? 0) + (price[option] ?? 0);
      objective += edgeCost[edge] ?? 0;
    }
  }
  return { assignment, objective, patientPotential, optionPrice: price, stats };
}
