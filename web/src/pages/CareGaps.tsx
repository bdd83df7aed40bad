import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, type Page } from '../api.ts';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { PatientClocks } from './care-gaps/PatientClocks.tsx';
import { gapStatuses, type CareGap } from './care-gaps/types.ts';
import {
  formatDate,
  gapStatusLabels,
  humanize,
  labelOf,
  standardLabels,
  tierLabels,
} from './timely-access/labels.ts';
import { specialties } from '../../../src/modules/vocabulary/vocabulary.domain.ts';
import { useServiceAreas } from './timely-access/useAreaNames.ts';

const dayMs = 86_400_000;

/** "in 3 days", "today", "5 days ago": how near a deadline is. */
function relative(iso: string): string {
  const days = Math.round((new Date(iso).getTime() - Date.now()) / dayMs);
  if (days === 0) return 'today';
  return days > 0
    ? `in ${days} day${days === 1 ? '' : 's'}`
    : `${-days} day${days === -1 ? '' : 's'} ago`;
}

const statusStyle = {
  overdue: { color: 'var(--bad)', fontWeight: 700 },
  at_risk: { color: 'var(--warn)', fontWeight: 700 },
  on_track: { color: 'var(--good)' },
} as const;
const columnCount = 9;

/**
 * Care gaps: the worklist of patients in a course of treatment, worst risk first and then the
 * nearest deadline (the API's order), filtered and paged by the server; each row opens the
 * patient's clocks. The filters live in the address, so the timely-access page can link here.
 */
export function CareGapsPage() {
  const [params, setParams] = useSearchParams();
  // Overdue first: the worklist opens on the patients whose deadline has passed.
  const statusChoice = params.get('status') ?? 'overdue';
  const status = statusChoice === 'all' ? '' : statusChoice;
  const area = params.get('area') ?? '';
  const specialty = params.get('specialty') ?? '';
  const { areas, names } = useServiceAreas();
  const [open, setOpen] = useState<string | null>(null);

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value && !(name === 'status' && value === 'overdue')) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    setOpen(null);
  };

  const query = { status, area, specialty };
  const list = useInfiniteQuery({
    queryKey: ['/care-gaps', query],
    queryFn: ({ pageParam }) =>
      api<Page<CareGap>>('/care-gaps', { query: { ...query, limit: 50, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section aria-labelledby="care-gaps-title">
      <h1 id="care-gaps-title">Care gaps</h1>
      <p className="muted">
        Patients in a course of treatment (an active enrollment, or a visit in the last 90 days) and
        their next deadline: 7 or 30 days after a psychiatric discharge (HEDIS FUH), else 10
        business days after their last care (SB 221). Overdue: the deadline has passed with no care;
        at risk: it falls within 2 business days and nothing scheduled meets it. Highest risk first,
        then the nearest deadline.
      </p>
      <form
        className="toolbar"
        aria-label="Filter the worklist"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setFilter('status', e.target.value);
            }}
          >
            <option value="">Every status</option>
            {gapStatuses.map((s) => (
              <option key={s} value={s}>
                {gapStatusLabels[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Service area
          <select
            value={area}
            onChange={(e) => {
              setFilter('area', e.target.value);
            }}
          >
            <option value="">Every area</option>
            {areas.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
            {area && !names.has(area) ? (
              <option value={area}>Area {area.slice(0, 8)}</option>
            ) : null}
          </select>
        </label>
        <label>
          Specialty
          <select
            value={specialty}
            onChange={(e) => {
              setFilter('specialty', e.target.value);
            }}
          >
            <option value="">Every specialty</option>
            {specialties.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </label>
        {statusChoice !== 'overdue' || area || specialty ? (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setParams({}, { replace: true });
            }}
          >
            Clear filters
          </button>
        ) : null}
      </form>

      {list.isPending ? <Loading what="the care gaps" /> : null}
      {list.isError ? <ErrorMessage error={list.error} /> : null}
      {list.isSuccess && rows.length === 0 ? (
        <Empty>No patient matches these filters.</Empty>
      ) : null}
      {rows.length > 0 ? (
        <>
          <div className="table-wrap" role="region" aria-label="Care-gap worklist" tabIndex={0}>
            <table>
              <caption>Care-gap worklist, highest risk first</caption>
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col">Risk</th>
                  <th scope="col">Status</th>
                  <th scope="col">Deadline</th>
                  <th scope="col">Standard</th>
                  <th scope="col" className="num">
                    Days without care
                  </th>
                  <th scope="col">Next care</th>
                  <th scope="col">Specialty</th>
                  <th scope="col">Area</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((gap) => {
                  const expanded = open === gap.patientId;
                  const regionId = `clocks-${gap.patientId}`;
                  return (
                    <Fragment key={gap.patientId}>
                      <tr>
                        <td>
                          <button
                            type="button"
                            className="link"
                            aria-expanded={expanded}
                            aria-controls={expanded ? regionId : undefined}
                            onClick={() => {
                              setOpen(expanded ? null : gap.patientId);
                            }}
                          >
                            {expanded ? 'Hide clocks' : 'Clocks'}
                            <span className="muted"> · {gap.patientId.slice(-8)}</span>
                          </button>
                        </td>
                        <td>{labelOf(tierLabels, gap.tier)}</td>
                        <td style={statusStyle[gap.status]}>{gapStatusLabels[gap.status]}</td>
                        <td>
                          {formatDate(gap.deadline)}{' '}
                          <span className="muted">({relative(gap.deadline)})</span>
                        </td>
                        <td>{labelOf(standardLabels, gap.standard)}</td>
                        <td className="num">{gap.daysWithoutCare ?? '—'}</td>
                        <td>{formatDate(gap.nextCareAt)}</td>
                        <td>{gap.specialty ? humanize(gap.specialty) : '—'}</td>
                        <td>{names.get(gap.serviceAreaId) ?? '—'}</td>
                      </tr>
                      {expanded ? (
                        <tr>
                          <td colSpan={columnCount} id={regionId}>
                            <PatientClocks patientId={gap.patientId} />
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="table-foot">
            <span className="muted" role="status">
              {rows.length.toLocaleString('en-US')} shown
              {list.hasNextPage ? '' : ' (all)'}
            </span>
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
          {list.isFetchNextPageError ? <ErrorMessage error={list.error} /> : null}
        </>
      ) : null}
    </section>
  );
}
