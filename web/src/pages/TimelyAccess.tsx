import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, type Page } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { Empty, ErrorMessage, Figure, Loading } from '../components/Status.tsx';
import { useSession } from '../session.tsx';
import { dayFromToday, labelOf, percent, standardLabels } from './timely-access/labels.ts';
import {
  download,
  groupingLabels,
  groupings,
  groupName,
  isBelow,
  ratesChart,
  ratesCsv,
  type Grouping,
  type Rate,
  type Rates,
} from './timely-access/rates.ts';
import { useServiceAreas } from './timely-access/useAreaNames.ts';

interface Disruption {
  id: string;
  title: string;
  status: string;
  startsOn: string;
}

/** A local day's first instant, and the instant after a local day, as the API's [from, to). */
function startOf(day: string): string {
  return new Date(`${day}T00:00:00`).toISOString();
}
function endOf(day: string): string {
  const next = new Date(`${day}T00:00:00`);
  next.setDate(next.getDate() + 1);
  return next.toISOString();
}

/** Where the requests behind a figure can be followed: the care-gaps worklist, filtered alike. */
function drillDown(grouping: Grouping, group: string): string {
  if (grouping === 'service_area') return `/care-gaps?status=all&area=${encodeURIComponent(group)}`;
  if (grouping === 'specialty' && group !== 'unknown')
    return `/care-gaps?status=all&specialty=${encodeURIComponent(group)}`;
  return '/care-gaps?status=all';
}

/**
 * Timely access: the share of requests offered care within each standard's deadline, by standard
 * and by a chosen grouping, against DMHC's 70% line; numerators, denominators, excepted and
 * pending in the table; the same figures as a CSV.
 */
export function TimelyAccessPage() {
  const { can } = useSession();
  // The demo region's requests run over the past year up to today: the last 90 days by default.
  const [from, setFrom] = useState(() => dayFromToday(-90));
  const [to, setTo] = useState(() => dayFromToday(0));
  const [grouping, setGrouping] = useState<Grouping>('standard');
  const [disruptionId, setDisruptionId] = useState('');
  const { names } = useServiceAreas();
  const periodValid = from !== '' && to !== '' && from <= to;

  const disruptions = useQuery({
    queryKey: ['/disruptions', 'for-filter'],
    queryFn: () => api<Page<Disruption>>('/disruptions', { query: { limit: 100 } }),
    enabled: can('disruptions:read'),
  });
  const query = {
    from: periodValid ? startOf(from) : '',
    to: periodValid ? endOf(to) : '',
    disruptionId,
  };
  const overall = useQuery({
    queryKey: ['/compliance/timely-access', query, 'standard'],
    queryFn: () =>
      api<Rates>('/compliance/timely-access', { query: { ...query, groupBy: 'standard' } }),
    enabled: periodValid,
  });
  const grouped = useQuery({
    queryKey: ['/compliance/timely-access', query, grouping],
    queryFn: () =>
      api<Rates>('/compliance/timely-access', { query: { ...query, groupBy: grouping } }),
    enabled: periodValid && grouping !== 'standard',
  });
  const shown = grouping === 'standard' ? overall : grouped;
  const threshold = shown.data?.threshold ?? 0.7;
  const chart = useMemo(
    () => (shown.data ? ratesChart(shown.data.items, grouping, threshold, names) : null),
    [shown.data, grouping, threshold, names],
  );

  const totals = (overall.data?.items ?? []).reduce(
    (sum, r) => ({
      met: sum.met + r.met,
      denominator: sum.denominator + r.denominator,
      excepted: sum.excepted + r.excepted,
      pending: sum.pending + r.pending,
    }),
    { met: 0, denominator: 0, excepted: 0, pending: 0 },
  );
  const worst = [...(overall.data?.items ?? [])]
    .filter((r) => r.rate !== null)
    .sort((a, b) => (a.rate ?? 0) - (b.rate ?? 0))[0];

  const saveCsv = () => {
    if (!shown.data) return;
    download(
      `timely-access_${grouping}_${from}_${to}.csv`,
      ratesCsv(shown.data.items, grouping, threshold, { from, to }, names),
    );
  };

  return (
    <section aria-labelledby="timely-access-title">
      <h1 id="timely-access-title">Timely access</h1>
      <form
        className="toolbar"
        aria-label="Period and grouping"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <label>
          From
          <input
            type="date"
            value={from}
            max={to}
            onChange={(e) => {
              setFrom(e.target.value);
            }}
          />
        </label>
        <label>
          To (inclusive)
          <input
            type="date"
            value={to}
            min={from}
            onChange={(e) => {
              setTo(e.target.value);
            }}
          />
        </label>
        <label>
          Group by
          <select
            value={grouping}
            onChange={(e) => {
              setGrouping(e.target.value as Grouping);
            }}
          >
            {groupings.map((g) => (
              <option key={g} value={g}>
                {groupingLabels[g]}
              </option>
            ))}
          </select>
        </label>
        {can('disruptions:read') ? (
          <label>
            Patients
            <select
              value={disruptionId}
              onChange={(e) => {
                setDisruptionId(e.target.value);
              }}
            >
              <option value="">Everyone</option>
              {(disruptions.data?.items ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  Displaced by {d.title} ({d.status})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button
          type="button"
          className="secondary"
          onClick={saveCsv}
          disabled={!shown.data || shown.data.items.length === 0}
        >
          Download CSV
        </button>
      </form>
      {!periodValid ? (
        <p className="error" role="alert">
          Choose a period whose start is on or before its end.
        </p>
      ) : null}
      <p className="muted">
        Requests made from {from} to {to}. A rate is the requests offered care within the standard’s
        deadline (met) over those whose deadline has passed (met + missed); excepted requests (a
        documented longer interval, a patient’s own cancellation) and pending ones (deadline still
        ahead) are counted apart, never in the rate. DMHC expects each network to reach{' '}
        {Math.round(threshold * 100)}%.
      </p>

      {overall.isPending && periodValid ? <Loading what="the rates" /> : null}
      {overall.isError ? <ErrorMessage error={overall.error} /> : null}
      {overall.data ? (
        <div className="figures" aria-label="All standards">
          <Figure
            label="Seen within the deadline"
            numerator={totals.met}
            denominator={totals.denominator}
            definition="requests whose deadline has passed, every standard"
          />
          <Figure
            label="Excepted"
            numerator={totals.excepted}
            definition="not counted in the rate"
          />
          <Figure label="Pending" numerator={totals.pending} definition="deadline still ahead" />
          {worst ? (
            <Figure
              label={`Lowest: ${labelOf(standardLabels, worst.standard)}`}
              numerator={worst.met}
              denominator={worst.denominator}
              definition={isBelow(worst, threshold) ? 'below the 70% line' : 'at or above 70%'}
            />
          ) : null}
        </div>
      ) : null}

      <h2>
        Rates by standard
        {grouping === 'standard' ? '' : ` and ${groupingLabels[grouping].toLowerCase()}`}
      </h2>
      {shown.isPending && periodValid && grouping !== 'standard' ? (
        <Loading what="the rates" />
      ) : null}
      {shown.isError && grouping !== 'standard' ? <ErrorMessage error={shown.error} /> : null}
      {shown.data && shown.data.items.length === 0 ? (
        <Empty>No requests in this period.</Empty>
      ) : null}
      {shown.data && shown.data.items.length > 0 && chart ? (
        <>
          <Chart
            option={chart}
            label={`Timely-access rate by standard${grouping === 'standard' ? '' : ` and ${groupingLabels[grouping].toLowerCase()}`}, with the ${Math.round(threshold * 100)}% line; the same figures are in the table.`}
            height={Math.max(
              300,
              new Set(shown.data.items.map((r) => r.standard)).size *
                (grouping === 'standard' ? 44 : 70) +
                90,
            )}
          />
          <RatesTable
            rates={shown.data.items}
            grouping={grouping}
            threshold={threshold}
            names={names}
            canDrill={can('patients:read')}
          />
        </>
      ) : null}
      <p className="muted">
        The API lists no requests behind a rate (only a patient’s own clocks), so{' '}
        {can('patients:read')
          ? 'each row links to the care-gaps worklist filtered the same way, where each patient’s clocks open.'
          : 'the requests behind a figure are for the roles that may read patient records.'}
      </p>
    </section>
  );
}

function RatesTable({
  rates,
  grouping,
  threshold,
  names,
  canDrill,
}: {
  rates: readonly Rate[];
  grouping: Grouping;
  threshold: number;
  names: ReadonlyMap<string, string>;
  canDrill: boolean;
}) {
  const line = `${Math.round(threshold * 100)}%`;
  return (
    <div className="table-wrap" role="region" aria-label="Rates table" tabIndex={0}>
      <table>
        <caption>Rates, numerators and denominators</caption>
        <thead>
          <tr>
            <th scope="col">Standard</th>
            {grouping === 'standard' ? null : <th scope="col">{groupingLabels[grouping]}</th>}
            <th scope="col" className="num">
              Met
            </th>
            <th scope="col" className="num">
              Missed
            </th>
            <th scope="col" className="num">
              Denominator
            </th>
            <th scope="col" className="num">
              Rate
            </th>
            <th scope="col" className="num">
              Excepted
            </th>
            <th scope="col" className="num">
              Pending
            </th>
            {canDrill ? <th scope="col">Requests</th> : null}
          </tr>
        </thead>
        <tbody>
          {rates.map((r) => {
            const below = isBelow(r, threshold);
            const group = groupName(grouping, r.group, names);
            return (
              <tr key={`${r.standard}|${r.group}`}>
                <th scope="row" title={r.definition}>
                  {labelOf(standardLabels, r.standard)}
                </th>
                {grouping === 'standard' ? null : <td>{group}</td>}
                <td className="num">{r.met.toLocaleString('en-US')}</td>
                <td className="num">{r.missed.toLocaleString('en-US')}</td>
                <td className="num">{r.denominator.toLocaleString('en-US')}</td>
                <td className={`num ${below ? 'bad' : ''}`}>
                  {percent(r.rate)}
                  {below ? ` · below ${line}` : ''}
                </td>
                <td className="num">{r.excepted.toLocaleString('en-US')}</td>
                <td className="num">{r.pending.toLocaleString('en-US')}</td>
                {canDrill ? (
                  <td>
                    <Link
                      to={drillDown(grouping, r.group)}
                      aria-label={`Patients behind ${labelOf(standardLabels, r.standard)}${grouping === 'standard' ? '' : `, ${group}`}`}
                    >
                      Patients
                    </Link>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
