import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { api, type Page } from '../../api.ts';
import { ErrorMessage, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { Progress } from '../disruptions/Progress.tsx';
import { count, words } from '../disruptions/types.ts';
import { Explanation } from './Explanation.tsx';
import { PatientName } from './PatientName.tsx';
import {
  optionLabels,
  proposalOptions,
  type Proposal,
  type ProposalDecision,
  type ProposalOption,
} from './types.ts';

/*
 * The plan, highest risk first, paged by the server. Rows can be selected (checkboxes) and approved
 * or rejected together, or all at once; each expands to its explanation, where an alternative can
 * be swapped in.
 */

const pageSize = 50;

export function proposalsKey(runId: string) {
  return [`/match-runs/${runId}/proposals`];
}

export function PlanTable({ runId }: { runId: string }) {
  const { can } = useSession();
  const writer = can('rematch:write');
  const client = useQueryClient();
  const [decision, setDecision] = useState<ProposalDecision | ''>('');
  const [option, setOption] = useState<ProposalOption | ''>('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [outcome, setOutcome] = useState<string | null>(null);

  const path = `/match-runs/${runId}/proposals`;
  const list = useInfiniteQuery({
    queryKey: [...proposalsKey(runId), decision, option],
    queryFn: ({ pageParam }) =>
      api<Page<Proposal>>(path, {
        query: { decision, option, limit: pageSize, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const refresh = () => client.invalidateQueries({ queryKey: proposalsKey(runId) });
  const decide = useMutation({
    mutationFn: (change: { decision: 'approved' | 'rejected'; ids: string[] | null }) =>
      api<{ changed: number }>(`/match-runs/${runId}/decisions`, {
        method: 'POST',
        body: change.ids
          ? { decision: change.decision, proposalIds: change.ids }
          : { decision: change.decision },
      }),
    onSuccess: async (answer, change) => {
      setOutcome(
        `${change.decision === 'approved' ? 'Approved' : 'Rejected'}: ${count(answer.changed)} proposals.`,
      );
      setSelected(new Set());
      await refresh();
    },
  });
  const swap = useMutation({
    mutationFn: ({ proposal, optionId }: { proposal: Proposal; optionId: string }) =>
      api<Proposal>(`/match-proposals/${proposal.id}`, {
        method: 'PATCH',
        body: { version: proposal.version, optionId },
      }),
    onSuccess: async (changed) => {
      setOutcome(
        `Swapped: rank ${changed.rank + 1} now goes to ${changed.explanation.chosen?.targetName ?? 'no one'}.`,
      );
      await refresh();
    },
  });

  if (list.isPending) return <Loading what="the plan" />;
  if (list.isError) return <ErrorMessage error={list.error} />;
  const rows = list.data.pages.flatMap((p) => p.items);
  const selectable = rows.filter((r) => r.decision !== 'committed');
  const allSelected = selectable.length > 0 && selectable.every((r) => selected.has(r.id));
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const toggleOpen = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  const busy = decide.isPending || swap.isPending;
  const columns = writer ? 9 : 8;

  return (
    <div>
      <div className="toolbar">
        <div>
          <label htmlFor="p-decision">Decision</label>
          <select
            id="p-decision"
            value={decision}
            onChange={(e) => {
              setDecision(e.target.value as ProposalDecision | '');
              setSelected(new Set());
            }}
          >
            <option value="">Any</option>
            <option value="pending">Pending</option>
            <option value="approved">Approved</option>
            <option value="rejected">Rejected</option>
            <option value="committed">Committed</option>
          </select>
        </div>
        <div>
          <label htmlFor="p-option">Plan</label>
          <select
            id="p-option"
            value={option}
            onChange={(e) => {
              setOption(e.target.value as ProposalOption | '');
              setSelected(new Set());
            }}
          >
            <option value="">Any</option>
            {proposalOptions.map((o) => (
              <option key={o} value={o}>
                {optionLabels[o]}
              </option>
            ))}
          </select>
        </div>
        {writer ? (
          <>
            <button
              type="button"
              disabled={busy || selected.size === 0}
              onClick={() => {
                decide.mutate({ decision: 'approved', ids: [...selected] });
              }}
            >
              Approve selected{selected.size ? ` (${selected.size})` : ''}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy || selected.size === 0}
              onClick={() => {
                decide.mutate({ decision: 'rejected', ids: [...selected] });
              }}
            >
              Reject selected
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                decide.mutate({ decision: 'approved', ids: null });
              }}
            >
              Approve all
            </button>
          </>
        ) : null}
      </div>
      {decide.isPending ? <Progress what="Recording the decisions" /> : null}
      {swap.isPending ? <Progress what="Swapping in the alternative" /> : null}
      {decide.isError ? <ErrorMessage error={decide.error} /> : null}
      {swap.isError ? <ErrorMessage error={swap.error} /> : null}
      {outcome && !busy ? (
        <p className="notice" role="status">
          {outcome}
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p className="muted">No proposal matches these filters.</p>
      ) : (
        <div className="table-wrap">
          <table className="plan">
            <caption>The plan, highest risk first</caption>
            <thead>
              <tr>
                {writer ? (
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select every row shown"
                      checked={allSelected}
                      disabled={selectable.length === 0}
                      onChange={() => {
                        setSelected(allSelected ? new Set() : new Set(selectable.map((r) => r.id)));
                      }}
                    />
                  </th>
                ) : null}
                <th scope="col" className="num">
                  Rank
                </th>
                <th scope="col">Patient</th>
                <th scope="col">Risk tier</th>
                <th scope="col">Need</th>
                <th scope="col">Plan</th>
                <th scope="col">Placed with</th>
                <th scope="col">Decision</th>
                <th scope="col">Explanation</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => {
                const expanded = open.has(p.id);
                const rank = `Rank ${p.rank + 1}`;
                return (
                  <Fragment key={p.id}>
                    <tr className={selected.has(p.id) ? 'selected' : undefined}>
                      {writer ? (
                        <td>
                          <input
                            type="checkbox"
                            aria-label={`Select ${rank.toLowerCase()}`}
                            checked={selected.has(p.id)}
                            disabled={p.decision === 'committed'}
                            onChange={() => {
                              toggle(p.id);
                            }}
                          />
                        </td>
                      ) : null}
                      <td className="num">{p.rank + 1}</td>
                      <td>
                        <PatientName id={p.patientId} fallback={rank} />
                      </td>
                      <td>{words(p.tier)}</td>
                      <td>{p.explanation.need ? words(p.explanation.need) : '—'}</td>
                      <td>{optionLabels[p.option]}</td>
                      <td>{p.explanation.chosen?.targetName ?? '—'}</td>
                      <td>
                        <span className={`decision-${p.decision}`}>{p.decision}</span>
                        {p.conflict ? <div className="bad">{p.conflict}</div> : null}
                      </td>
                      <td>
                        <button
                          type="button"
                          className="secondary"
                          aria-expanded={expanded}
                          aria-controls={expanded ? `why-${p.id}` : undefined}
                          onClick={() => {
                            toggleOpen(p.id);
                          }}
                        >
                          Explain
                        </button>
                      </td>
                    </tr>
                    {expanded ? (
                      <tr id={`why-${p.id}`} className="explanation-row">
                        <td colSpan={columns}>
                          <Explanation
                            proposal={p}
                            canSwap={writer && p.decision !== 'committed'}
                            swapping={swap.isPending}
                            onSwap={(optionId) => {
                              swap.mutate({ proposal: p, optionId });
                            }}
                          />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div className="table-foot">
        <span className="muted">{count(rows.length)} shown</span>
        {list.hasNextPage ? (
          <button
            type="button"
            onClick={() => void list.fetchNextPage()}
            disabled={list.isFetchingNextPage}
          >
            {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        ) : null}
      </div>
    </div>
  );
}
