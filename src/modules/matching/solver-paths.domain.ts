/**
 * The exact phase of the re-matching solver: primal-dual successive shortest paths on the network
 * patients → options → sink, with a direct patient → sink arc for *unmatched*.
 *
 * It starts from any state that keeps complementary slackness, which lets a fast approximate warm
 * start (the auction) hand over its prices:
 * - every placed patient sits on one of its cheapest alternatives at current prices (an option at
 *   edge cost + p_o, or unmatched at its penalty + λ, λ being the sink's price);
 * - each option sends `flow[o]` patients on to the sink, with p_o ≤ λ if flow < capacity and
 *   p_o ≥ λ if flow > 0. An option priced above λ is treated as full (flow = capacity) even when
 *   seats are empty: it then *lacks* patients (a deficit), and the sink has a matching surplus
 *   once the free patients are counted.
 *
 * Each round runs one Dijkstra over reduced costs (all ≥ 0) from every node with a surplus (the
 * free patients, and the sink if it has one) until it meets a node that lacks patients (an option
 * with a deficit, or the sink), at distance D; scanned nodes then raise their price by D − d,
 * which makes every shortest path tight; a depth-first search along tight arcs applies as many
 * paths as it finds. Patients are not Dijkstra nodes: a placed patient is entered only from the
 * option (or sink) that holds it, at no cost. Reduced costs stay ≥ 0 throughout, so the final plan
 * is optimal and the prices are its proof.
 */
import { IndexedMinHeap } from './solver-heap.domain.ts';

export const FREE = -2;
export const UNMATCHED_EDGE = -1;

/** The instance's arrays, with each option's capacity capped at its number of edges. */
export interface Network {
  readonly edgeStart: Int32Array;
  readonly edgeOption: Int32Array;
  readonly edgeCost: Float64Array;
  readonly unmatchedCost: Float64Array;
  readonly capacity: Int32Array;
  readonly slotStart: Int32Array;
}

/** The state the exact phase works on; it is updated in place. */
export interface PathState {
  /** The edge each patient is placed by, UNMATCHED_EDGE or FREE. */
  readonly placedBy: Int32Array;
  readonly price: Float64Array;
  /** Patients each option passes to the sink (held + deficit). */
  readonly flow: Int32Array;
  /** The sink's price. */
  lambda: number;
}

export interface PathStats {
  readonly rounds: number;
  readonly scannedOptions: number;
  readonly augmentations: number;
}

const PATIENT = 0;
const OPTION = 1;
const SINK = 2;

export function shortestPaths(network: Network, state: PathState): PathStats {
  const { edgeStart, edgeOption, edgeCost, unmatchedCost, capacity, slotStart } = network;
  const { placedBy, price, flow } = state;
  const patients = unmatchedCost.length;
  const options = capacity.length;

  const seats = new Int32Array(slotStart[options] ?? 0);
  const held = new Int32Array(options);
  const seatOf = new Int32Array(patients);
  const free = new Int32Array(patients);
  let freeCount = 0;
  let unmatchedCount = 0;
  let flowSum = 0;
  for (let o = 0; o < options; o++) flowSum += flow[o] ?? 0;
  const seat = (patient: number, edge: number) => {
    placedBy[patient] = edge;
    if (edge < 0) {
      unmatchedCount++;
      return;
    }
    const option = edgeOption[edge] ?? 0;
    const at = (slotStart[option] ?? 0) + (held[option] ?? 0);
    held[option] = (held[option] ?? 0) + 1;
    seats[at] = patient;
    seatOf[patient] = at;
  };
  const unseat = (patient: number) => {
    const edge = placedBy[patient] ?? FREE;
    placedBy[patient] = FREE;
    if (edge < 0) {
      unmatchedCount--;
      return;
    }
    const option = edgeOption[edge] ?? 0;
    const last = (slotStart[option] ?? 0) + (held[option] ?? 0) - 1;
    held[option] = (held[option] ?? 0) - 1;
    const at = seatOf[patient] ?? 0;
    const moved = seats[last] ?? 0;
    seats[at] = moved;
    seatOf[moved] = at;
  };
  for (let i = 0; i < patients; i++) {
    const edge = placedBy[i] ?? FREE;
    if (edge === FREE) free[freeCount++] = i;
    else seat(i, edge);
  }
  /** Surplus (> 0) or deficit (< 0) of the sink. */
  const sinkExcess = () => flowSum + unmatchedCount - patients;

  const distance = new Float64Array(options).fill(Number.POSITIVE_INFINITY);
  const heap = new IndexedMinHeap(options, distance);
  const scanned = new Int32Array(options);
  const touched = new Int32Array(options);
  const sourcePotential = new Float64Array(patients);
  const visited = new Int32Array(options);
  let sinkVisited = 0;
  // Depth-first search stack. Patient frames hold the patient, its potential and its next edge;
  // option frames the option and its next holder (then the sink); sink frames nothing (the sink's
  // iterators persist through a round, since the sink is entered once).
  const depth = 2 * options + 4;
  const frameKind = new Uint8Array(depth);
  const frameNode = new Int32Array(depth);
  const framePointer = new Int32Array(depth);
  const framePotential = new Float64Array(depth);
  let sinkOptionPointer = 0;
  let sinkPatientPointer = 0;
  let rounds = 0;
  let scannedOptions = 0;
  let augmentations = 0;

  const relaxEdges = (patient: number, base: number, touchedCount: number): number => {
    let count = touchedCount;
    const end = edgeStart[patient + 1] ?? 0;
    for (let e = edgeStart[patient] ?? 0; e < end; e++) {
      const next = edgeOption[e] ?? 0;
      const nd = base + (edgeCost[e] ?? 0) + (price[next] ?? 0);
      const old = distance[next] ?? 0;
      if (nd < old) {
        if (old === Number.POSITIVE_INFINITY) touched[count++] = next;
        distance[next] = nd;
        heap.pushOrDecrease(next);
      }
    }
    return count;
  };

  /** Applies the path on the stack (frames 0..top): first everyone leaves, then everyone joins. */
  const applyPath = (top: number) => {
    for (let k = 1; k <= top; k++) {
      const kind = frameKind[k];
      const before = frameKind[k - 1];
      if (kind === PATIENT) unseat(frameNode[k] ?? 0);
      else if (kind === OPTION && before === SINK) {
        flow[frameNode[k] ?? 0] = (flow[frameNode[k] ?? 0] ?? 0) - 1;
        flowSum--;
      } else if (kind === SINK && before === OPTION) {
        flow[frameNode[k - 1] ?? 0] = (flow[frameNode[k - 1] ?? 0] ?? 0) + 1;
        flowSum++;
      }
    }
    for (let k = 0; k < top; k++) {
      if (frameKind[k] !== PATIENT) continue;
      // A patient frame's pointer is the edge it left by (or -1: to the sink, i.e. unmatched).
      seat(frameNode[k] ?? 0, frameKind[k + 1] === SINK ? UNMATCHED_EDGE : (framePointer[k] ?? 0));
    }
    augmentations++;
  };

  /** Depth-first search along tight arcs from the frame at the bottom of the stack. */
  const augment = (): boolean => {
    let top = 0;
    for (;;) {
      const kind = frameKind[top];
      const node = frameNode[top] ?? 0;
      let pushKind = -1;
      let pushNode = 0;
      let pushPotential = 0;
      if (kind === PATIENT) {
        const u = framePotential[top] ?? 0;
        const end = edgeStart[node + 1] ?? 0;
        let e = (framePointer[top] ?? 0) + 1;
        for (; e < end; e++) {
          const o = edgeOption[e] ?? 0;
          if (visited[o] !== rounds && (edgeCost[e] ?? 0) + (price[o] ?? 0) === u) break;
        }
        framePointer[top] = e;
        if (e < end) {
          pushKind = OPTION;
          pushNode = edgeOption[e] ?? 0;
        } else if (
          e === end &&
          sinkVisited !== rounds &&
          placedBy[node] !== UNMATCHED_EDGE &&
          (unmatchedCost[node] ?? 0) + state.lambda === u
        ) {
          framePointer[top] = end + 1;
          pushKind = SINK;
        }
      } else if (kind === OPTION) {
        const h = framePointer[top] ?? 0;
        if (h < (held[node] ?? 0)) {
          framePointer[top] = h + 1;
          pushKind = PATIENT;
          pushNode = seats[(slotStart[node] ?? 0) + h] ?? 0;
          pushPotential = (edgeCost[placedBy[pushNode] ?? 0] ?? 0) + (price[node] ?? 0);
        } else if (
          h === (held[node] ?? 0) &&
          sinkVisited !== rounds &&
          (flow[node] ?? 0) < (capacity[node] ?? 0) &&
          price[node] === state.lambda
        ) {
          framePointer[top] = h + 1;
          pushKind = SINK;
        }
      } else {
        while (sinkOptionPointer < options) {
          const o = sinkOptionPointer++;
          if (visited[o] !== rounds && (flow[o] ?? 0) > 0 && price[o] === state.lambda) {
            pushKind = OPTION;
            pushNode = o;
            break;
          }
        }
        while (pushKind < 0 && sinkPatientPointer < patients) {
          const j = sinkPatientPointer++;
          if (placedBy[j] === UNMATCHED_EDGE) {
            pushKind = PATIENT;
            pushNode = j;
            pushPotential = (unmatchedCost[j] ?? 0) + state.lambda;
          }
        }
      }
      if (pushKind < 0) {
        if (top === 0) return false;
        top--;
        continue;
      }
      top++;
      frameKind[top] = pushKind;
      frameNode[top] = pushNode;
      if (pushKind === PATIENT) {
        framePointer[top] = (edgeStart[pushNode] ?? 0) - 1;
        framePotential[top] = pushPotential;
      } else if (pushKind === OPTION) {
        visited[pushNode] = rounds;
        framePointer[top] = 0;
        if ((held[pushNode] ?? 0) < (flow[pushNode] ?? 0)) {
          applyPath(top);
          return true;
        }
      } else {
        sinkVisited = rounds;
        if (sinkExcess() < 0) {
          applyPath(top);
          return true;
        }
      }
    }
  };

  // Rounds start from every free patient at once while that places many per round; once it
  // places few, seeding all of them each round costs more than it saves, and a round starts from
  // one free patient (or from the sink once no patient is free).
  let sourcesPerRound = patients;
  while (freeCount > 0 || sinkExcess() > 0) {
    rounds++;
    let touchedCount = 0;
    let target = Number.POSITIVE_INFINITY; // distance of the nearest node lacking patients
    let sinkDistance = Number.POSITIVE_INFINITY;
    let sinkScanned = false;
    const sources = Math.min(freeCount, sourcesPerRound);
    for (let k = 0; k < sources; k++) {
      const i = free[k] ?? 0;
      const end = edgeStart[i + 1] ?? 0;
      let u = (unmatchedCost[i] ?? 0) + state.lambda;
      for (let e = edgeStart[i] ?? 0; e < end; e++) {
        u = Math.min(u, (edgeCost[e] ?? 0) + (price[edgeOption[e] ?? 0] ?? 0));
      }
      sourcePotential[k] = u;
      sinkDistance = Math.min(sinkDistance, (unmatchedCost[i] ?? 0) + state.lambda - u);
      touchedCount = relaxEdges(i, -u, touchedCount);
    }
    const sinkIsSource = sinkExcess() > 0 && sources === 0;
    if (sinkIsSource) sinkDistance = 0;
    let scannedCount = 0;
    for (;;) {
      const option = heap.size > 0 ? heap.peek() : -1;
      const d = option >= 0 ? (distance[option] ?? 0) : Number.POSITIVE_INFINITY;
      if (!sinkScanned && sinkDistance <= d && sinkDistance < Number.POSITIVE_INFINITY) {
        if (sinkExcess() < 0) {
          target = sinkDistance;
          break;
        }
        sinkScanned = true;
        for (let o = 0; o < options; o++) {
          if ((flow[o] ?? 0) === 0) continue;
          const nd = sinkDistance + (price[o] ?? 0) - state.lambda;
          const old = distance[o] ?? 0;
          if (nd < old) {
            if (old === Number.POSITIVE_INFINITY) touched[touchedCount++] = o;
            distance[o] = nd;
            heap.pushOrDecrease(o);
          }
        }
        for (let j = 0; j < patients; j++) {
          if (placedBy[j] !== UNMATCHED_EDGE) continue;
          const base = sinkDistance - (unmatchedCost[j] ?? 0) - state.lambda;
          touchedCount = relaxEdges(j, base, touchedCount);
        }
        continue;
      }
      if (option < 0) break;
      heap.pop();
      // Reduced costs are ≥ 0, so no option is popped twice; if one were, they are not.
      if (scannedCount === options) throw new Error('re-matching solver lost its duals (bug)');
      scanned[scannedCount++] = option;
      if ((held[option] ?? 0) < (flow[option] ?? 0)) {
        target = d;
        break;
      }
      const p = price[option] ?? 0;
      if ((flow[option] ?? 0) < (capacity[option] ?? 0) && !sinkScanned) {
        sinkDistance = Math.min(sinkDistance, d + state.lambda - p);
      }
      const first = slotStart[option] ?? 0;
      const last = first + (held[option] ?? 0);
      for (let s = first; s < last; s++) {
        const holder = seats[s] ?? 0;
        const base = d - (edgeCost[placedBy[holder] ?? 0] ?? 0) - p;
        if (!sinkScanned) {
          sinkDistance = Math.min(sinkDistance, base + (unmatchedCost[holder] ?? 0) + state.lambda);
        }
        touchedCount = relaxEdges(holder, base, touchedCount);
      }
    }
    if (target === Number.POSITIVE_INFINITY)
      throw new Error('re-matching: no augmenting path (bug)');
    scannedOptions += scannedCount;
    for (let k = 0; k < scannedCount; k++) {
      const option = scanned[k] ?? 0;
      const d = distance[option] ?? 0;
      if (d < target) price[option] = (price[option] ?? 0) + (target - d);
    }
    if (sinkScanned && sinkDistance < target) state.lambda += target - sinkDistance;
    heap.clear();
    for (let k = 0; k < touchedCount; k++) distance[touched[k] ?? 0] = Number.POSITIVE_INFINITY;

    const before = augmentations;
    sinkOptionPointer = 0;
    sinkPatientPointer = 0;
    let stillFree = 0;
    for (let k = 0; k < freeCount; k++) {
      const i = free[k] ?? 0;
      if (k < sources) {
        frameKind[0] = PATIENT;
        frameNode[0] = i;
        framePointer[0] = (edgeStart[i] ?? 0) - 1;
        framePotential[0] = (sourcePotential[k] ?? 0) + target;
        if (augment()) continue;
      }
      free[stillFree++] = i;
    }
    freeCount = stillFree;
    if (augmentations - before < 8) sourcesPerRound = 1;
    while (sinkIsSource && sinkExcess() > 0) {
      // The sink as a root: no path may come back into it. Its iterators carry on where the
      // previous search left them, so each search enters options not yet visited.
      frameKind[0] = SINK;
      sinkVisited = rounds;
      if (!augment()) break;
    }
    // A shortest path is tight after the price update, so a round always applies one; if not,
    // the invariants are broken and looping on would never end.
    if (augmentations === before) throw new Error('re-matching solver made no progress (bug)');
  }
  return { rounds, scannedOptions, augmentations };
}
