/**
 * Warm start for the exact solver: an auction with ε-scaling (Bertsekas), on integer prices.
 *
 * Forward step: free patients bid, in queue order, for the option that is cheapest to them at
 * current prices (edge cost + price), raising its price by how much better it is than their second
 * choice plus ε (unmatched is always a choice, at its own cost). An option holds up to its
 * capacity: while it has a free seat its price is the price of an empty seat; once full it is the
 * lowest bid among its holders, and the next bidder evicts that holder.
 * Reverse step: an option left with empty seats at a price above ε lowers its price to win over
 * the patient who gains most by moving to it (forward bidding alone never lowers a price, and
 * would leave seats empty behind a stale price: the asymmetric-assignment trap).
 * Each phase ends with every patient within ε of its best choice; ε shrinks by a factor from
 * phase to phase down to 1, keeping the prices and every patient still within the new ε.
 *
 * Only the prices and the placement are used, as a starting point: the exact phase (paths) keeps
 * what is exactly optimal at the rounded prices and repairs the rest, so nothing here has to be
 * exact for the answer to be.
 */
import { costScale, prepare, type Prepared } from './solver-auction-setup.domain.ts';

export interface AuctionResult {
  /** Price per option in whole cost units, rounded down (0 for an option without seats). */
  readonly price: Float64Array;
  /** The edge each patient holds, or -1 for unmatched. */
  readonly placedBy: Int32Array;
  readonly bids: number;
  readonly reverseBids: number;
  readonly phases: number;
}

export interface AuctionInput {
  readonly edgeStart: Int32Array;
  readonly edgeOption: Int32Array;
  readonly edgeCost: Float64Array;
  readonly unmatchedCost: Float64Array;
  /** Seats per option, already capped at the option's number of edges. */
  readonly capacity: Int32Array;
  readonly slotStart: Int32Array;
}

const scaleFactor = 5;
/** The quick attempt's start, relative to the full schedule's, and its ε factor (see `auction`). */
const quickStartDivisor = 125;
const quickScaleFactor = 25;
const quickBidsPerPatient = 2;

/**
 * A quick attempt first, then the full schedule if needed. The full schedule starts ε near the
 * largest cost, which prices wars of patients over scarce seats up fast, but on an instance with
 * seats to spare it overshoots: prices jump far above what settles, and the reverse step spends
 * the next phases pulling them back. So when there are at least as many seats as patients, and
 * at most half of them are turned away from their first choice even before anyone bids (more
 * means a war is certain), a first attempt starts `quickStartDivisor` times lower, and gives up
 * as soon as its first phase turns into a price war (more than `quickBidsPerPatient` bids a
 * patient; a loose random instance needs about 1.3, one with local shortages 25 or more). Its
 * bids are counted. Its prices start close to where they settle, so it shrinks ε 25× a phase
 * (three phases from 625 to 1 in place of five): 5-15% faster on loose random instances.
 */
export function auction(input: AuctionInput): AuctionResult {
  const prepared = prepare(input);
  let full = 1;
  while (full * scaleFactor * 4 < prepared.spread) full *= scaleFactor;
  const patients = input.unmatchedCost.length;
  let seats = 0;
  for (const seatsOfOption of input.capacity) seats += seatsOfOption;
  const quick = Math.floor(full / quickStartDivisor);
  let abandonedBids = 0;
  if (quick >= 1 && seats >= patients && prepared.overflow <= patients / 2) {
    const attempt = runAuction(input, prepared, {
      start: quick,
      factor: quickScaleFactor,
      firstPhaseBids: quickBidsPerPatient * patients,
    });
    if (attempt !== undefined) return attempt;
    abandonedBids = quickBidsPerPatient * patients;
  }
  const result = runAuction(input, prepared, {
    start: full,
    factor: scaleFactor,
    firstPhaseBids: Number.POSITIVE_INFINITY,
  });
  if (result === undefined) throw new Error('re-matching auction gave up without a budget (bug)');
  return { ...result, bids: result.bids + abandonedBids };
}

/** How an attempt runs: ε from `start` down to 1, divided by `factor` a phase. */
interface Schedule {
  readonly start: number;
  readonly factor: number;
  /** The attempt gives up (returns undefined) if its first phase needs more bids. */
  readonly firstPhaseBids: number;
}

/** The auction from scratch, on the given schedule. */
function runAuction(
  input: AuctionInput,
  prepared: Prepared,
  schedule: Schedule,
): AuctionResult | undefined {
  const { edgeStart, edgeOption, edgeCost, capacity, slotStart } = input;
  const { penalty, byOptionStart, byOptionPatient, byOptionCost } = prepared;
  const patients = input.unmatchedCost.length;
  const options = capacity.length;
  const scale = costScale;
  // Index `options` of `price` is a sentinel option for "unmatched" (price 0).
  const price = new Float64Array(options + 1);
  const emptyPrice = new Float64Array(options);
  const held = new Int32Array(options);
  const seats = new Int32Array(slotStart[options] ?? 0);
  const seatBid = new Float64Array(seats.length);
  const seatOf = new Int32Array(patients);
  const placedBy = new Int32Array(patients).fill(-1);
  /** The option each patient is on (`options` when unmatched) and what it pays besides the price. */
  const assignedOption = new Int32Array(patients).fill(options);
  const assignedCost = Float64Array.from(penalty);
  /**
   * What each patient pays where it is now, price included (assignedCost + its option's price):
   * kept up to date on every move and price change, so the reverse step reads one number a patient.
   */
  const paying = Float64Array.from(penalty);
  const queue = new Int32Array(patients);

  const seat = (patient: number, edge: number, option: number, at: number, bid: number) => {
    seats[at] = patient;
    seatBid[at] = bid;
    seatOf[patient] = at;
    placedBy[patient] = edge;
    assignedOption[patient] = option;
    assignedCost[patient] = (edgeCost[edge] ?? 0) * scale;
    paying[patient] = (assignedCost[patient] ?? 0) + (price[option] ?? 0);
  };
  const setPrice = (option: number, value: number) => {
    price[option] = value;
    const first = slotStart[option] ?? 0;
    for (let s = first; s < first + (held[option] ?? 0); s++) {
      const holder = seats[s] ?? 0;
      paying[holder] = (assignedCost[holder] ?? 0) + value;
    }
  };
  /** Takes a patient out of its seat; the option keeps its price (see `reverse`). */
  const unseat = (patient: number) => {
    const option = assignedOption[patient] ?? 0;
    emptyPrice[option] = price[option] ?? 0;
    const last = (slotStart[option] ?? 0) + (held[option] ?? 0) - 1;
    const at = seatOf[patient] ?? 0;
    const moved = seats[last] ?? 0;
    seats[at] = moved;
    seatBid[at] = seatBid[last] ?? 0;
    seatOf[moved] = at;
    held[option] = (held[option] ?? 0) - 1;
    placedBy[patient] = -1;
    assignedOption[patient] = options;
    assignedCost[patient] = penalty[patient] ?? 0;
    paying[patient] = penalty[patient] ?? 0;
  };

  const work = new Int32Array(options);
  const queued = new Uint8Array(options);
  let widest = 0;
  for (let o = 0; o < options; o++) widest = Math.max(widest, capacity[o] ?? 0);
  const topGain = new Float64Array(widest + 1);
  const topAt = new Int32Array(topGain.length);
  let reverseBids = 0;

  /**
   * Reverse step: an option left with empty seats but a price above ε would keep patients away
   * for no reason. With k empty seats it finds the k + 1 patients who gain most by moving to it,
   * prices itself just below the (k + 1)-th gain and takes the k others (or, when nobody gains
   * more than 2ε, just lowers its price). Those patients leave seats behind, whose options may
   * then do the same. Afterwards every option with an empty seat is priced at most ε.
   */
  let epsilon = schedule.start;
  let workTop = 0;
  const pushWork = (o: number) => {
    if (queued[o] === 0) {
      work[workTop++] = o;
      queued[o] = 1;
    }
  };

  // The steps below are small functions, called many times, rather than loops inlined in one
  // long function: V8 then optimizes each with complete type feedback instead of bailing out of
  // a half-optimized `auction` whenever control reaches a part it has not run yet.

  /**
   * Fills `topGain` / `topAt` with the `empty + 1` largest gains of moving to option o, in
   * decreasing order (insertion into a short list), and returns how many it found. The hot loop
   * of the reverse step, kept apart so that V8 optimizes it on its own, early and for good.
   */
  const largestGains = (o: number, empty: number): number => {
    let found = 0;
    for (let k = byOptionStart[o] ?? 0; k < (byOptionStart[o + 1] ?? 0); k++) {
      const i = byOptionPatient[k] ?? 0;
      const gain = (paying[i] ?? 0) - (byOptionCost[k] ?? 0);
      if (found > empty && gain <= (topGain[empty] ?? 0)) continue;
      if (assignedOption[i] === o) continue;
      let slot = found > empty ? empty : found++;
      while (slot > 0 && (topGain[slot - 1] ?? 0) < gain) {
        topGain[slot] = topGain[slot - 1] ?? 0;
        topAt[slot] = topAt[slot - 1] ?? 0;
        slot--;
      }
      topGain[slot] = gain;
      topAt[slot] = k;
    }
    return found;
  };

  /**
   * Reverse step for one option with empty seats priced above ε: with k empty seats it finds the
   * k + 1 patients who gain most by moving to it, prices itself just below the (k + 1)-th gain and
   * takes the k others (or, when nobody gains more than 2ε, just lowers its price). Those
   * patients leave seats behind, whose options may then do the same.
   */
  const reverseBid = (o: number) => {
    const empty = (capacity[o] ?? 0) - (held[o] ?? 0);
    if (empty <= 0 || (price[o] ?? 0) <= epsilon) return;
    reverseBids++;
    const found = largestGains(o, empty);
    const best = found > 0 ? (topGain[0] ?? 0) : Number.NEGATIVE_INFINITY;
    if (best <= 2 * epsilon) {
      setPrice(o, Math.max(0, best - epsilon));
      emptyPrice[o] = price[o] ?? 0;
      return;
    }
    const next = found > empty ? (topGain[empty] ?? 0) : Number.NEGATIVE_INFINITY;
    const newPrice = Math.max(0, next - epsilon);
    for (let m = 0; m < Math.min(found, empty); m++) {
      if ((topGain[m] ?? 0) < newPrice + epsilon) break;
      const mover = byOptionPatient[topAt[m] ?? 0] ?? 0;
      if (assignedOption[mover] === o) continue; // a second edge of the same patient
      const left = assignedOption[mover] ?? options;
      if (left < options) {
        unseat(mover);
        if ((price[left] ?? 0) > epsilon) pushWork(left);
      }
      // Its edge to this option (the cheapest, should it have two).
      let edge = -1;
      for (let e = edgeStart[mover] ?? 0; e < (edgeStart[mover + 1] ?? 0); e++) {
        if (edgeOption[e] === o && (edge < 0 || (edgeCost[e] ?? 0) < (edgeCost[edge] ?? 0))) {
          edge = e;
        }
      }
      const at = (slotStart[o] ?? 0) + (held[o] ?? 0);
      held[o] = (held[o] ?? 0) + 1;
      seat(mover, edge, o, at, newPrice);
    }
    emptyPrice[o] = newPrice;
    setPrice(o, newPrice);
    if ((held[o] ?? 0) < (capacity[o] ?? 0) && newPrice > epsilon) pushWork(o);
  };

  /** Afterwards every option with an empty seat is priced at most ε. */
  const reverse = () => {
    workTop = 0;
    for (let o = 0; o < options; o++) {
      queued[o] = 0;
      if ((held[o] ?? 0) < (capacity[o] ?? 0) && (price[o] ?? 0) > epsilon) pushWork(o);
    }
    while (workTop > 0) {
      const o = work[--workTop] ?? 0;
      queued[o] = 0;
      reverseBid(o);
    }
  };

  /**
   * Whether a placed patient is still within the (new) ε of its best choice. If so its old bid,
   * made with a larger ε, is capped so that the price it may yet have to pay keeps it within ε;
   * if not it leaves its seat.
   */
  const keep = (i: number): boolean => {
    let best = penalty[i] ?? 0;
    const end = edgeStart[i + 1] ?? 0;
    for (let e = edgeStart[i] ?? 0; e < end; e++) {
      best = Math.min(best, (edgeCost[e] ?? 0) * scale + (price[edgeOption[e] ?? 0] ?? 0));
    }
    const current = assignedOption[i] ?? options;
    const base = assignedCost[i] ?? 0;
    if (base + (price[current] ?? 0) - best <= epsilon) {
      if (current < options) {
        const at = seatOf[i] ?? 0;
        seatBid[at] = Math.min(seatBid[at] ?? 0, best + epsilon - base);
      }
      return true;
    }
    if (current < options) unseat(i);
    return false;
  };

  /** A free patient bids; returns the patient it evicts, or -1. */
  const bid = (i: number): number => {
    let best = penalty[i] ?? 0;
    let second = Number.POSITIVE_INFINITY;
    let bestEdge = -1;
    const end = edgeStart[i + 1] ?? 0;
    for (let e = edgeStart[i] ?? 0; e < end; e++) {
      const value = (edgeCost[e] ?? 0) * scale + (price[edgeOption[e] ?? 0] ?? 0);
      // A seat beats unmatched at equal cost.
      if (value < best || (value === best && bestEdge < 0)) {
        second = best;
        best = value;
        bestEdge = e;
      } else if (value < second) {
        second = value;
      }
    }
    if (bestEdge < 0) return -1; // unmatched: assignedOption is already the sentinel
    const option = edgeOption[bestEdge] ?? 0;
    const amount = (price[option] ?? 0) + (second - best) + epsilon;
    const first = slotStart[option] ?? 0;
    const count = held[option] ?? 0;
    let at = first + count;
    let evicted = -1;
    if (count < (capacity[option] ?? 0)) {
      held[option] = count + 1;
    } else {
      // Evict the lowest bid (the one that sets the price).
      at = first;
      for (let s = first + 1; s < first + count; s++) {
        if ((seatBid[s] ?? 0) < (seatBid[at] ?? 0)) at = s;
      }
      evicted = seats[at] ?? 0;
      placedBy[evicted] = -1;
      assignedOption[evicted] = options;
      assignedCost[evicted] = penalty[evicted] ?? 0;
      paying[evicted] = penalty[evicted] ?? 0;
    }
    seat(i, bestEdge, option, at, amount);
    const now = held[option] ?? 0;
    if (now === (capacity[option] ?? 0)) {
      let low = Number.POSITIVE_INFINITY;
      for (let s = first; s < first + now; s++) low = Math.min(low, seatBid[s] ?? 0);
      setPrice(option, low);
    }
    return evicted;
  };

  // An option without seats is never a choice.
  for (let o = 0; o < options; o++) if (capacity[o] === 0) price[o] = Number.POSITIVE_INFINITY;

  let bids = 0;
  let phases = 0;
  for (;;) {
    phases++;
    // Keep every patient already within the new ε of its best choice; the others bid again.
    let waiting = 0;
    for (let i = 0; i < patients; i++) {
      if (phases === 1 || !keep(i)) queue[waiting++] = i;
    }
    let head = 0;
    let tail = waiting === patients ? 0 : waiting;
    while (waiting > 0) {
      const i = queue[head] ?? 0;
      head = head + 1 === patients ? 0 : head + 1;
      waiting--;
      bids++;
      if (phases === 1 && bids > schedule.firstPhaseBids) return undefined;
      const evicted = bid(i);
      if (evicted >= 0) {
        queue[tail] = evicted;
        tail = tail + 1 === patients ? 0 : tail + 1;
        waiting++;
      }
    }
    reverse();
    if (epsilon === 1) break;
    epsilon = Math.max(1, Math.floor(epsilon / schedule.factor));
  }
  const wholePrice = new Float64Array(options);
  for (let o = 0; o < options; o++) {
    wholePrice[o] = capacity[o] === 0 ? 0 : Math.floor((price[o] ?? 0) / costScale);
  }
  return { price: wholePrice, placedBy, bids, reverseBids, phases };
}
