import { useMemo } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/Status.tsx';
import type { CareGap } from '../care-gaps/types.ts';
import { gapStatusLabels } from '../timely-access/labels.ts';
import { useAllCareGaps } from './useAllCareGaps.ts';

/** Weeks since the last care attended, as bands: [label, first day, last day]. */
const bands = [
  ['Under 1 week', 0, 6],
  ['1–2 weeks', 7, 13],
  ['2–3 weeks', 14, 20],
  ['3–4 weeks', 21, 27],
  ['4–6 weeks', 28, 41],
  ['6–8 weeks', 42, 55],
  ['8–13 weeks', 56, 90],
  ['Over 13 weeks', 91, Number.POSITIVE_INFINITY],
] as const;
const neverSeen = 'Not seen yet';
const statuses = ['overdue', 'at_risk', 'on_track'] as const;
const colours = { overdue: '#a1261b', at_risk: '#8a5300', on_track: '#1d6b36' } as const;

interface Row {
  band: string;
  counts: Record<(typeof statuses)[number], number>;
  total: number;
}

function tally(gaps: readonly CareGap[]): Row[] {
  const rows: Row[] = [...bands.map((b) => b[0]), neverSeen].map((band) => ({
    band,
    counts: { overdue: 0, at_risk: 0, on_track: 0 },
    total: 0,
  }));
  for (const gap of gaps) {
    const days = gap.daysWithoutCare;
    const index =
      days === null
        ? bands.length
        : bands.findIndex(([, first, last]) => days >= first && days <= last);
    const row = rows[index < 0 ? bands.length : index];
    if (!row) continue;
    row.counts[gap.status] += 1;
    row.total += 1;
  }
  return rows.filter((r, index) => index < bands.length || r.total > 0);
}

/**
 * How long patients in a course of treatment have gone without care: each patient's days since
 * their last attended visit or session (the care-gaps worklist), in weekly bands, coloured by
 * whether their deadline is overdue, at risk or on track. The same counts are in the table.
 */
export function DaysWithoutCare() {
  const gaps = useAllCareGaps();
  const rows = useMemo(() => (gaps.data ? tally(gaps.data.items) : []), [gaps.data]);
  const option = useMemo(
    () => ({
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, data: statuses.map((s) => gapStatusLabels[s]) },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: {
        type: 'category',
        data: rows.map((r) => r.band),
        axisLabel: { interval: 0, rotate: 30, color: '#1b1f24' },
        name: 'Time since last care',
        nameLocation: 'middle',
        nameGap: 52,
      },
      yAxis: { type: 'value', name: 'Patients', minInterval: 1 },
      series: statuses.map((s) => ({
        type: 'bar',
        stack: 'patients',
        name: gapStatusLabels[s],
        itemStyle: { color: colours[s] },
        data: rows.map((r) => r.counts[s]),
      })),
    }),
    [rows],
  );
  if (gaps.isPending) return <Loading what="days without care" />;
  if (gaps.isError) return <ErrorMessage error={gaps.error} />;
  if (gaps.data.items.length === 0) return <Empty>No patient is in a course of treatment.</Empty>;
  const caption = `Patients in a course of treatment by time since their last care${gaps.data.complete ? '' : ' (the first 10,000 of the worklist)'}`;
  return (
    <>
      <p className="muted">
        Each patient’s days since the last visit or group session they attended, from the care-gaps
        worklist, in weekly bands: the longer the tail, the longer people have gone without care.
        Colours say whether their next deadline is overdue, at risk or on track.
      </p>
      <div className="grid-2">
        <Chart
          option={option}
          label={`${caption}, stacked by deadline status; the same counts are in the table.`}
          height={340}
        />
        <div className="table-wrap" role="region" aria-label="Days without care table" tabIndex={0}>
          <table>
            <caption>{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Since last care</th>
                {statuses.map((s) => (
                  <th key={s} scope="col" className="num">
                    {gapStatusLabels[s]}
                  </th>
                ))}
                <th scope="col" className="num">
                  Patients
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.band}>
                  <th scope="row">{r.band}</th>
                  {statuses.map((s) => (
                    <td key={s} className="num">
                      {r.counts[s].toLocaleString('en-US')}
                    </td>
                  ))}
                  <td className="num">{r.total.toLocaleString('en-US')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
