import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../../api.ts';
import { Chart } from '../../components/Chart.tsx';
import { Empty, ErrorMessage, Figure, Loading } from '../../components/Status.tsx';
import { humanize } from '../timely-access/labels.ts';

const measures = [
  'activeEnrollments',
  'waitlisted',
  'patientsHighRisk',
  'patientsRecentlyDischarged',
  'patientsPerinatal',
] as const;
type Measure = (typeof measures)[number];

const measureLabels: Record<Measure, string> = {
  activeEnrollments: 'Enrolled',
  waitlisted: 'Waitlisted',
  patientsHighRisk: 'High risk',
  patientsRecentlyDischarged: 'Recently discharged',
  patientsPerinatal: 'Perinatal',
};

type Row = {
  serviceAreaCode: string;
  serviceAreaName: string;
  specialty: string | null;
  groups: number;
  seats: number;
  suppressed: Measure[];
} & Record<Measure, number | null>;

interface EnrollmentAggregate {
  asOf: string;
  minimumCellSize: number;
  rows: Row[];
}

/** A count as the auditor may see it: suppressed cells say so, never a number. */
function count(value: number | null, minimum: number): string {
  return value === null ? `<${minimum}*` : value.toLocaleString('en-US');
}

/**
 * Enrollment by service area and specialty (GET /aggregates/enrollment): de-identified, with
 * counts of 1 to 10 patients (and any that would reveal one) suppressed. Every role with the
 * overview sees it; for the auditor it is the whole overview.
 */
export function EnrollmentAggregates() {
  const aggregate = useQuery({
    queryKey: ['/aggregates/enrollment'],
    queryFn: () => api<EnrollmentAggregate>('/aggregates/enrollment'),
  });
  const totals = useMemo(
    () => (aggregate.data?.rows ?? []).filter((r) => r.specialty === null),
    [aggregate.data],
  );
  const option = useMemo(
    () => ({
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, data: ['Seats', 'Enrolled', 'Waitlisted'] },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: {
        type: 'category',
        data: totals.map((r) => r.serviceAreaName),
        axisLabel: { interval: 0, color: '#1b1f24' },
      },
      yAxis: { type: 'value' },
      series: [
        {
          type: 'bar',
          name: 'Seats',
          itemStyle: { color: '#8a949e' },
          data: totals.map((r) => r.seats),
        },
        {
          type: 'bar',
          name: 'Enrolled',
          itemStyle: { color: '#0b5cad' },
          data: totals.map((r) => r.activeEnrollments),
        },
        {
          type: 'bar',
          name: 'Waitlisted',
          itemStyle: { color: '#a1261b' },
          data: totals.map((r) => r.waitlisted),
        },
      ],
    }),
    [totals],
  );
  if (aggregate.isPending) return <Loading what="enrollment" />;
  if (aggregate.isError) return <ErrorMessage error={aggregate.error} />;
  const { rows, minimumCellSize, asOf } = aggregate.data;
  if (rows.length === 0) return <Empty>No groups yet.</Empty>;
  const sum = (measure: Measure | 'seats') => {
    const values = totals.map((r) => r[measure]);
    return values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0);
  };
  const seats = sum('seats') ?? 0;
  const enrolled = sum('activeEnrollments');
  const waitlisted = sum('waitlisted');
  const highRisk = sum('patientsHighRisk');
  return (
    <>
      <p className="muted">
        De-identified, as of {new Date(asOf).toLocaleString('en-US')}: counts of 1 to{' '}
        {minimumCellSize - 1} patients, and any that would reveal one, are suppressed (shown as
        “&lt;{minimumCellSize}*”).
      </p>
      <div className="figures" style={{ marginBottom: '1rem' }}>
        {enrolled !== null ? (
          <Figure
            label="Seats filled"
            numerator={enrolled}
            denominator={seats}
            definition="active enrollments, of the active groups’ seats"
          />
        ) : null}
        {waitlisted !== null && enrolled !== null ? (
          <Figure
            label="Waitlisted"
            numerator={waitlisted}
            denominator={enrolled + waitlisted}
            definition="of patients enrolled or waiting"
          />
        ) : null}
        {highRisk !== null && enrolled !== null ? (
          <Figure
            label="High risk"
            numerator={highRisk}
            denominator={enrolled}
            definition="of actively enrolled patients"
          />
        ) : null}
      </div>
      <div className="grid-2">
        <Chart
          option={option}
          label="Seats, enrolled and waitlisted patients by service area; the same figures are in the table."
          height={320}
        />
        <AggregateTable
          rows={totals}
          minimum={minimumCellSize}
          caption="Enrollment by service area"
        />
      </div>
      <details className="panel" style={{ marginTop: '1rem' }}>
        <summary>Enrollment by service area and specialty</summary>
        <AggregateTable
          rows={rows}
          minimum={minimumCellSize}
          caption="Enrollment by service area and specialty"
          bySpecialty
        />
      </details>
    </>
  );
}

function AggregateTable({
  rows,
  minimum,
  caption,
  bySpecialty = false,
}: {
  rows: readonly Row[];
  minimum: number;
  caption: string;
  bySpecialty?: boolean;
}) {
  return (
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Service area</th>
            {bySpecialty ? <th scope="col">Specialty</th> : null}
            <th scope="col" className="num">
              Groups
            </th>
            <th scope="col" className="num">
              Seats
            </th>
            {measures.map((m) => (
              <th key={m} scope="col" className="num">
                {measureLabels[m]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${r.serviceAreaCode}|${r.specialty ?? ''}`}
              style={bySpecialty && r.specialty === null ? { fontWeight: 700 } : undefined}
            >
              <th scope="row">{r.serviceAreaName}</th>
              {bySpecialty ? (
                <td>{r.specialty === null ? 'All (distinct patients)' : humanize(r.specialty)}</td>
              ) : null}
              <td className="num">{r.groups}</td>
              <td className="num">{r.seats}</td>
              {measures.map((m) => (
                <td key={m} className="num">
                  {count(r[m], minimum)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
