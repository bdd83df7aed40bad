import { useQuery } from '@tanstack/react-query';
import { api } from '../../api.ts';
import { Chart } from '../../components/Chart.tsx';
import { Table } from '../../components/DataTable.tsx';
import { ErrorMessage, Loading } from '../../components/Status.tsx';

interface Week {
  weekEnding: string;
  patients: number | null;
  neverSeen: number | null;
  over14Days: number | null;
  over28Days: number | null;
  medianDays: number | null;
}

const shown = (n: number | null) => (n === null ? '<11' : n.toLocaleString('en-US'));
const share = (n: number | null, of: number | null) =>
  n === null || of === null || of === 0 ? null : Math.round((n / of) * 1000) / 10;

/**
 * The trend of days without care, week by week, from the de-identified aggregate (every role that
 * reads aggregates sees it, the auditor included): the share of patients in treatment whose last
 * attended care is more than 14 and 28 days old, over its denominator, and the median days.
 */
export function DaysWithoutCareTrend() {
  const trend = useQuery({
    queryKey: ['/aggregates/days-without-care', 12],
    queryFn: () =>
      api<{ weeks: Week[] }>('/aggregates/days-without-care', { query: { weeks: 12 } }),
  });
  if (trend.isPending) return <Loading what="the trend of days without care" />;
  if (trend.isError) return <ErrorMessage error={trend.error} />;
  const weeks = trend.data.weeks;
  const option = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 36, bottom: 36 },
    xAxis: { type: 'category', data: weeks.map((w) => w.weekEnding) },
    yAxis: [
      { type: 'value', name: '% of patients', max: 100 },
      { type: 'value', name: 'median days' },
    ],
    series: [
      {
        name: 'Over 14 days',
        type: 'line',
        data: weeks.map((w) => share(w.over14Days, w.patients)),
      },
      {
        name: 'Over 28 days',
        type: 'line',
        data: weeks.map((w) => share(w.over28Days, w.patients)),
      },
      {
        name: 'Median days',
        type: 'bar',
        yAxisIndex: 1,
        data: weeks.map((w) => w.medianDays),
        itemStyle: { color: '#8aa4c0' },
      },
    ],
  };
  return (
    <>
      <p className="muted">
        Each week's last day: of the patients in a course of treatment, how many had gone more than
        14 and more than 28 days since their last attended session or visit, and the median days
        (among those seen at least once). Counts under 11 are withheld.
      </p>
      <div className="grid-2">
        <Chart
          option={option}
          label="Days without care, week by week: shares over 14 and 28 days, and the median"
        />
        <Table
          caption="Days without care, week by week"
          rows={weeks}
          rowKey={(w) => w.weekEnding}
          columns={[
            { header: 'Week ending', cell: (w) => w.weekEnding },
            { header: 'In treatment', numeric: true, cell: (w) => shown(w.patients) },
            { header: 'Over 14 days', numeric: true, cell: (w) => shown(w.over14Days) },
            { header: 'Over 28 days', numeric: true, cell: (w) => shown(w.over28Days) },
            { header: 'Never seen', numeric: true, cell: (w) => shown(w.neverSeen) },
            {
              header: 'Median days',
              numeric: true,
              cell: (w) => (w.medianDays === null ? '—' : w.medianDays),
            },
          ]}
        />
      </div>
    </>
  );
}
