import { words } from '../disruptions/types.ts';
import { optionLabels, type ExplainedOption, type Proposal } from './types.ts';

/*
 * Why the plan chose what it chose for one patient: the summary, the chosen option's cost terms and
 * the constraints it passed, why other kinds of care were not offered, and up to five alternatives,
 * each of which can be swapped in.
 */

function when(value: string | null): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : date.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

function Terms({ option }: { option: ExplainedOption }) {
  return (
    <div
      className="table-wrap"
      tabIndex={0}
      role="region"
      aria-label={`Cost terms of ${option.targetName}`}
    >
      <table>
        <caption>Cost terms of {option.targetName}</caption>
        <thead>
          <tr>
            <th scope="col">Term</th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col" className="num">
              Weight
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {option.terms.map((t) => (
            <tr key={t.term}>
              <th scope="row">{words(t.term)}</th>
              <td className="num">{t.value.toFixed(2)}</td>
              <td className="num">{t.weight.toFixed(2)}</td>
              <td className="num">{t.cost.toFixed(2)}</td>
              <td>{t.detail}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td />
            <td />
            <td className="num">{option.cost.toFixed(2)}</td>
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function Explanation({
  proposal,
  canSwap,
  swapping,
  onSwap,
}: {
  proposal: Proposal;
  canSwap: boolean;
  swapping: boolean;
  onSwap: (optionId: string) => void;
}) {
  const e = proposal.explanation;
  const chosen = e.chosen;
  const reasons = Object.entries(e.kindReasons).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return (
    <div className="explanation">
      <p>
        <strong>{e.summary}</strong>
      </p>
      <dl className="facts">
        <dt>Need</dt>
        <dd>{e.need ? words(e.need) : 'none recorded'}</dd>
        <dt>Risk</dt>
        <dd>
          {words(e.tier)} (weight {e.weight})
        </dd>
        <dt>Requires</dt>
        <dd>{e.requires.length ? e.requires.map(words).join(', ') : 'nothing particular'}</dd>
        <dt>Candidates weighed</dt>
        <dd>
          {e.candidateCount} (leaving unmatched costs {e.unmatchedCost.toFixed(2)})
        </dd>
        {chosen ? (
          <>
            <dt>Chosen</dt>
            <dd>
              {optionLabels[chosen.option]}: {chosen.targetName}, {words(chosen.mode)}, first
              session {when(chosen.firstSessionAt)}
            </dd>
            <dt>Equivalence</dt>
            <dd>
              {chosen.equivalence.score.toFixed(2)}: {chosen.equivalence.rationale}
            </dd>
          </>
        ) : null}
      </dl>
      {chosen ? (
        <div className="grid-2 explanation-grid">
          <Terms option={chosen} />
          <div>
            <h3>Constraints passed</h3>
            {chosen.passed.length ? (
              <ul>
                {chosen.passed.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            ) : (
              <p className="muted">None recorded.</p>
            )}
          </div>
        </div>
      ) : null}
      {reasons.length ? (
        <>
          <h3>Why not other kinds of care</h3>
          <ul>
            {reasons.map(([kind, reason]) => (
              <li key={kind}>
                {words(kind)}: {reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>Alternatives</h3>
      {e.alternatives.length === 0 ? (
        <p className="muted">No alternative passed the constraints.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Alternatives">
          <table>
            <caption>Up to five alternatives, cheapest first</caption>
            <thead>
              <tr>
                <th scope="col">Alternative</th>
                <th scope="col">Kind</th>
                <th scope="col">Mode</th>
                <th scope="col">First session</th>
                <th scope="col" className="num">
                  Equivalence
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
                {canSwap ? <th scope="col">Swap</th> : null}
              </tr>
            </thead>
            <tbody>
              {e.alternatives.slice(0, 5).map((a, index) => (
                <tr key={a.optionId}>
                  <th scope="row">{a.targetName}</th>
                  <td>{optionLabels[a.option]}</td>
                  <td>{words(a.mode)}</td>
                  <td>{when(a.firstSessionAt)}</td>
                  <td className="num" title={a.equivalence.rationale}>
                    {a.equivalence.score.toFixed(2)}
                  </td>
                  <td className="num">{a.cost.toFixed(2)}</td>
                  {canSwap ? (
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        disabled={swapping}
                        aria-describedby={`alt-${proposal.id}-${index}`}
                        onClick={() => {
                          onSwap(a.optionId);
                        }}
                      >
                        Swap
                      </button>
                      <span id={`alt-${proposal.id}-${index}`} hidden>
                        Swap in {a.targetName}
                      </span>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
