/**
 * Checks a re-matching plan against its own certificate, independently of how it was found.
 *
 * The LP:   min Σ c_e x_e + Σ M_i y_i   s.t.  Σ_{e ∈ δ(i)} x_e + y_i = 1,  Σ_{e ∈ δ(o)} x_e ≤ cap_o,  x, y ≥ 0
 * its dual: max Σ u_i − Σ cap_o p_o     s.t.  u_i ≤ M_i,  u_i − p_o ≤ c_e,  p_o ≥ 0
 *
 * An integer plan with integer duals that satisfy both sets of constraints and complementary
 * slackness (x_e = 1 ⇒ u_i − p_o = c_e; y_i = 1 ⇒ u_i = M_i; p_o > 0 ⇒ o is full) is optimal: the
 * two objectives are then equal, which is checked as well.
 */
import {
  optionCountOf,
  patientCountOf,
  UNMATCHED,
  type MatchingInstance,
  type MatchingSolution,
} from './solver-instance.domain.ts';

export interface OptimalityCheck {
  readonly ok: boolean;
  /** What is wrong, by patient or option index (at most `maxProblems` entries). */
  readonly problems: string[];
}

const maxProblems = 20;

export function verifyOptimality(
  instance: MatchingInstance,
  solution: Pick<MatchingSolution, 'assignment' | 'objective' | 'patientPotential' | 'optionPrice'>,
): OptimalityCheck {
  const problems: string[] = [];
  const report = (problem: string) => {
    if (problems.length < maxProblems) problems.push(problem);
  };
  const { edgeStart, edgeOption, edgeCost, optionCapacity, unmatchedCost } = instance;
  const patients = patientCountOf(instance);
  const options = optionCountOf(instance);
  const { assignment, patientPotential: u, optionPrice: p } = solution;
  if (assignment.length !== patients || u.length !== patients || p.length !== options) {
    return { ok: false, problems: ['solution arrays do not match the instance size'] };
  }

  for (let o = 0; o < options; o++) {
    const price = p[o] ?? Number.NaN;
    if (!Number.isInteger(price)) report(`option ${o}: price ${price} is not an integer`);
    else if (price < 0) report(`option ${o}: negative price ${price}`);
  }

  const held = new Int32Array(options);
  let primal = 0;
  for (let i = 0; i < patients; i++) {
    const ui = u[i] ?? Number.NaN;
    const penalty = unmatchedCost[i] ?? 0;
    if (!Number.isInteger(ui)) report(`patient ${i}: potential ${ui} is not an integer`);
    if (ui > penalty) report(`patient ${i}: potential ${ui} above the unmatched cost ${penalty}`);
    const chosen = assignment[i] ?? UNMATCHED;
    let chosenCost = Number.POSITIVE_INFINITY;
    for (let e = edgeStart[i] ?? 0; e < (edgeStart[i + 1] ?? 0); e++) {
      const o = edgeOption[e] ?? 0;
      const cost = edgeCost[e] ?? 0;
      if (ui - (p[o] ?? 0) > cost) {
        report(`patient ${i}, option ${o}: u − p = ${ui - (p[o] ?? 0)} exceeds the cost ${cost}`);
      }
      // With parallel edges to the chosen option the plan uses the cheapest one.
      if (o === chosen) chosenCost = Math.min(chosenCost, cost);
    }
    if (chosen === UNMATCHED) {
      primal += penalty;
      if (ui !== penalty) report(`patient ${i}: unmatched but u = ${ui} ≠ ${penalty}`);
    } else if (chosen < 0 || chosen >= options || chosenCost === Number.POSITIVE_INFINITY) {
      report(`patient ${i}: placed on option ${chosen}, which is not one of its candidates`);
    } else {
      primal += chosenCost;
      held[chosen] = (held[chosen] ?? 0) + 1;
      const slack = chosenCost - (ui - (p[chosen] ?? 0));
      if (slack !== 0)
        report(`patient ${i}: placed on option ${chosen} with reduced cost ${slack}`);
    }
  }

  let dual = 0;
  for (let i = 0; i < patients; i++) dual += u[i] ?? 0;
  for (let o = 0; o < options; o++) {
    const cap = optionCapacity[o] ?? 0;
    const count = held[o] ?? 0;
    if (count > cap) report(`option ${o}: ${count} patients over a capacity of ${cap}`);
    if ((p[o] ?? 0) > 0 && count < cap) {
      report(`option ${o}: price ${p[o] ?? 0} but only ${count} of ${cap} seats taken`);
    }
    dual -= cap * (p[o] ?? 0);
  }
  if (primal !== solution.objective) {
    report(`objective ${solution.objective} but the plan costs ${primal}`);
  }
  if (problems.length === 0 && primal !== dual) {
    report(`plan costs ${primal} but the dual bound is ${dual}`);
  }
  return { ok: problems.length === 0, problems };
}
