import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../../api.ts';
import { Chart } from '../../components/Chart.tsx';
import { Table } from '../../components/DataTable.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { day, hours } from '../referrals/format.ts';
import { useServiceAreas } from './catalogue-data.ts';
import { isoWeekOf, type ClinicianWeek, type Workload as WorkloadWeek } from './types.ts';

/* Colours that read on white and apart from each other (and the table says the same). */
const colours = { direct: '#0b5cad', group: '#7a4fb0', protected: '#1d6b36', target: '#a1261b' };

function chartOption(week: WorkloadWeek) {
  const rows = [...week.clinicians].reverse();
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 36, bottom: 24, containLabel: true },
    xAxis: { type: 'value', name: 'hours', nameLocation: 'end' },
    yAxis: { type: 'category', data: rows.map((c) => c.name) },
    series: [
      {
        name: 'Direct care',
        type: 'bar',
        data: rows.map((c) => c.directCareHours),
        itemStyle: { color: colours.direct },
      },
      {
        name: 'Group sessions',
        type: 'bar',
        data: rows.map((c) => c.groupHours),
        itemStyle: { color: colours.group },
      },
      {
        name: 'Protected time',
        type: 'bar',
        data: rows.map((c) => c.protectedHours),
        itemStyle: { color: colours.protected },
        markLine: {
          symbol: 'none',
          lineStyle: { color: colours.target, type: 'dashed', width: 2 },
          label: { formatter: `Target ${hours(week.protectedTarget)} h`, color: colours.target },
          data: [{ xAxis: week.protectedTarget }],
        },
      },
    ],
  };
}

/**
 * The workload chart per clinician for a chosen ISO week, with its table: direct-care hours,
 * group hours, and protected time against the target line. A clinician sees only their own week.
 */
export function Workload({ own = false }: { own?: boolean }) {
  const session = useSession();
  const areas = useServiceAreas();
  const [week, setWeek] = useState(isoWeekOf(new Date()));
  const clinicianOnly = session.user.role === 'clinician' || own;
  // A region has hundreds of clinicians: a manager starts with one service area.
  const [chosenArea, setArea] = useState<string | null>(null);
  const area = chosenArea ?? (clinicianOnly ? '' : (areas.data?.items[0]?.id ?? ''));
  const valid = /^\d{4}-W\d{2}$/.test(week);
  const workload = useQuery({
    queryKey: ['/workload', week, area],
    queryFn: () => api<WorkloadWeek>('/workload', { query: { week, area } }),
    enabled: valid && session.can('workload:read') && (clinicianOnly || areas.isFetched),
  });
  const data = useMemo(() => {
    if (!workload.data) return null;
    if (!own || !session.user.clinicianId) return workload.data;
    return {
      ...workload.data,
      clinicians: workload.data.clinicians.filter(
        (c) => c.clinicianId === session.user.clinicianId,
      ),
    };
  }, [workload.data, own, session.user.clinicianId]);
  const option = useMemo(() => (data ? chartOption(data) : null), [data]);
  if (!session.can('workload:read'))
    return <p className="muted">Your role does not see workload.</p>;
  return (
    <>
      <div className="toolbar">
        <label>
          Week
          <input
            type="week"
            value={week}
            onChange={(e) => {
              setWeek(e.target.value);
            }}
            placeholder="2026-W10"
          />
        </label>
        {clinicianOnly ? null : (
          <label>
            Service area
            <select
              value={area}
              onChange={(e) => {
                setArea(e.target.value);
              }}
            >
              <option value="">All</option>
              {areas.data?.items.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {!valid ? (
        <p className="error" role="alert">
          Choose a week.
        </p>
      ) : workload.isPending ? (
        <Loading what="the workload" />
      ) : workload.isError ? (
        <ErrorMessage error={workload.error} />
      ) : !data || !option || data.clinicians.length === 0 ? (
        <Empty>No clinician has a workload that week.</Empty>
      ) : (
        <>
          <p className="muted">
            Week of {day(`${data.monday}T12:00:00`)}: protected time is what is left of the
            contracted hours after appointments and group sessions with their preparation (×
            {1 + data.prepFactor}); the target is {hours(data.protectedTarget)} hours.
          </p>
          <Chart
            option={option}
            label={`Hours per clinician in ${data.week}: direct care, group sessions and protected time, with the ${hours(data.protectedTarget)}-hour protected-time target; the same figures are in the table below.`}
            height={Math.max(220, data.clinicians.length * 42 + 90)}
          />
          <Table<ClinicianWeek>
            caption={`Workload in ${data.week}`}
            rows={data.clinicians}
            rowKey={(c) => c.clinicianId}
            columns={[
              { header: 'Clinician', cell: (c) => c.name },
              { header: 'Contracted h', cell: (c) => hours(c.contractedHours), numeric: true },
              { header: 'Direct care h', cell: (c) => hours(c.directCareHours), numeric: true },
              { header: 'Group h', cell: (c) => hours(c.groupHours), numeric: true },
              {
                header: 'Group with prep h',
                cell: (c) => hours(c.groupHoursWithPrep),
                numeric: true,
              },
              { header: 'Protected h', cell: (c) => hours(c.protectedHours), numeric: true },
              {
                header: 'Against target',
                cell: (c) =>
                  c.belowProtectedTarget ? (
                    <span className="bad">Below {hours(c.protectedTarget)} h</span>
                  ) : (
                    <span className="ok">Meets {hours(c.protectedTarget)} h</span>
                  ),
              },
              {
                header: 'Days over 10 patients',
                cell: (c) =>
                  c.busyDays.length === 0
                    ? 'None'
                    : c.busyDays.map((d) => day(`${d}T12:00:00`)).join(', '),
              },
            ]}
          />
        </>
      )}
    </>
  );
}
