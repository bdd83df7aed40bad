import { Chart } from '../../components/Chart.tsx';
import { Table } from '../../components/DataTable.tsx';
import { count, words } from '../disruptions/types.ts';
import type { ShortfallLine } from './types.ts';

/* The shortfall: who is left without an equivalent place, by specialty × area × accommodations. */

function shape(line: ShortfallLine): string {
  const needs = line.accommodations.length ? ` (${line.accommodations.map(words).join(', ')})` : '';
  return `${line.serviceArea}, ${words(line.specialty)}${needs}`;
}

export function Shortfall({ lines }: { lines: ShortfallLine[] }) {
  if (lines.length === 0)
    return <p className="ok">No shortfall: every patient with a need has a place in the plan.</p>;
  const sorted = [...lines].sort(
    (a, b) => b.patients - a.patients || shape(a).localeCompare(shape(b)),
  );
  const option = {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 230, right: 30, top: 10, bottom: 40 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: sorted.map(shape), inverse: true },
    series: [
      {
        name: 'Patients without a place',
        type: 'bar',
        itemStyle: { color: '#a1261b' },
        data: sorted.map((l) => l.patients),
      },
      {
        name: 'Seats to clear',
        type: 'bar',
        itemStyle: { color: '#0b5cad' },
        data: sorted.map((l) => l.seatsToClear),
      },
    ],
  };
  return (
    <div className="grid-2">
      <Chart
        option={option}
        label="Bar chart of the shortfall: patients without an equivalent place and seats to clear, by specialty, service area and accommodations; the same figures are in the table beside it."
        height={Math.max(220, 90 + 44 * sorted.length)}
      />
      <Table
        caption="Shortfall by specialty, service area and required accommodations"
        rowKey={(l) => `${l.specialty}|${l.serviceAreaId}|${l.accommodations.join(',')}`}
        rows={sorted}
        columns={[
          { header: 'Specialty', cell: (l) => words(l.specialty) },
          { header: 'Service area', cell: (l) => l.serviceArea },
          {
            header: 'Required accommodations',
            cell: (l) =>
              l.accommodations.length ? l.accommodations.map(words).join(', ') : 'none',
          },
          { header: 'Patients', cell: (l) => count(l.patients), numeric: true },
          { header: 'Seats to clear', cell: (l) => count(l.seatsToClear), numeric: true },
        ]}
      />
    </div>
  );
}
