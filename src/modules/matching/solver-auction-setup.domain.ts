/**
 * What the auction (`solver-auction.domain.ts`) sets up once and every attempt shares: costs
 * scaled to the auction's units, the largest of them, how oversubscribed first choices are, and
 * each option's edges (its patients and their scaled costs) for the reverse step.
 */
import type { AuctionInput } from './solver-auction.domain.ts';

/**
 * The auction works on costs × `costScale` and ends at ε = 1 there, i.e. 1/16 of a cost unit.
 * Rounded down to whole units, its prices then leave almost every patient exactly on one of its
 * cheapest alternatives (a patient is off only where one price was rounded from just above a whole
 * unit and a competing one from just below), so little is left for the exact phase.
 */
export const costScale = 16;

/** What every attempt shares: scaled penalties, the largest scaled cost, and the edges by option. */
export interface Prepared {
  readonly penalty: Float64Array;
  readonly spread: number;
  /** Patients whose first choice (cheapest alternative) has more takers than seats, beyond them. */
  readonly overflow: number;
  readonly byOptionStart: Int32Array;
  readonly byOptionPatient: Int32Array;
  readonly byOptionCost: Float64Array;
}

export function prepare(input: AuctionInput): Prepared {
  const { edgeStart, edgeOption, edgeCost, capacity } = input;
  const patients = input.unmatchedCost.length;
  const options = capacity.length;
  const edges = edgeOption.length;
  const penalty = new Float64Array(patients);
  let spread = 0;
  for (let i = 0; i < patients; i++) {
    penalty[i] = (input.unmatchedCost[i] ?? 0) * costScale;
    spread = Math.max(spread, Math.abs(penalty[i] ?? 0));
  }
  // Edges by option, for the reverse step: the patient and the scaled cost of each.
  const byOptionStart = new Int32Array(options + 1);
  for (let e = 0; e < edges; e++) {
    const o = edgeOption[e] ?? 0;
    byOptionStart[o + 1] = (byOptionStart[o + 1] ?? 0) + 1;
    spread = Math.max(spread, Math.abs(edgeCost[e] ?? 0) * costScale);
  }
  for (let o = 0; o < options; o++) {
    byOptionStart[o + 1] = (byOptionStart[o + 1] ?? 0) + (byOptionStart[o] ?? 0);
  }
  const byOptionPatient = new Int32Array(edges);
  const byOptionCost = new Float64Array(edges);
  const next = byOptionStart.slice(0, options);
  const takers = new Int32Array(options);
  for (let i = 0; i < patients; i++) {
    let cheapest = input.unmatchedCost[i] ?? 0;
    let choice = -1;
    for (let e = edgeStart[i] ?? 0; e < (edgeStart[i + 1] ?? 0); e++) {
      const o = edgeOption[e] ?? 0;
      const at = next[o] ?? 0;
      next[o] = at + 1;
      byOptionPatient[at] = i;
      byOptionCost[at] = (edgeCost[e] ?? 0) * costScale;
      if ((edgeCost[e] ?? 0) < cheapest) {
        cheapest = edgeCost[e] ?? 0;
        choice = o;
      }
    }
    if (choice >= 0) takers[choice] = (takers[choice] ?? 0) + 1;
  }
  let overflow = 0;
  for (let o = 0; o < options; o++) overflow += Math.max(0, (takers[o] ?? 0) - (capacity[o] ?? 0));
  return { penalty, spread, overflow, byOptionStart, byOptionPatient, byOptionCost };
}
