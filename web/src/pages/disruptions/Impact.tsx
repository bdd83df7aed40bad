import { useState } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { Table } from '../../components/DataTable.tsx';
import { Figure } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { count, formatInstant, riskTiers, words, type Impact } from './types.ts';

/*
 * A simulation's impact: the sessions to cancel and the patients displaced, by specialty × service
 * area (a heat map) and by risk tier (bars), each with its table; then the displaced patients,
 * worst risk first. Names appear only for roles that may read patients.
 */

interface Cell {
  key: string;
  specialty: string;
  area: string;
  sessions: number;
  patients: number;
}

function bySpecialtyAndArea(impact: Impact): Cell[] {
  const areaName = new Map(impact.counts.byServiceArea.map((a) => [a.serviceAreaId, a.name]));
  const cells = new Map<string, Cell>();
  const cell = (specialty: string, areaId: string): Cell => {
    const key = `${specialty}|${areaId}`;
    let found = cells.get(key);
    if (!found) {
      found = {
        key,
        specialty,
        area: areaName.get(areaId) ?? 'other area',
        sessions: 0,
        patients: 0,
      };
      cells.set(key, found);
    }
    return found;
  };
  for (const g of impact.sessions.groups)
    cell(g.specialty, g.serviceAreaId).sessions += g.sessions.filter((s) => !s.cancelled).length;
  for (const p of impact.patients) cell(p.need, p.serviceAreaId).patients += 1;
  return [...cells.values()].sort(
    (a, b) => b.patients - a.patients || b.sessions - a.sessions || a.key.localeCompare(b.key),
  );
}

function heatMap(cells: Cell[]) {
  const specialties = [...new Set(cells.map((c) => c.specialty))].sort();
  const areas = [...new Set(cells.map((c) => c.area))].sort();
  const max = Math.max(1, ...cells.map((c) => c.patients));
  return {
    tooltip: { position: 'top' },
    grid: { left: 170, right: 20, top: 10, bottom: 90, containLabel: false },
    xAxis: {
      type: 'category',
      data: areas,
      axisLabel: { interval: 0, rotate: areas.length > 4 ? 30 : 0 },
    },
    yAxis: { type: 'category', data: specialties.map(words) },
    visualMap: {
      min: 0,
      max,
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      inRange: { color: ['#e8f0f9', '#0b5cad'] },
    },
    series: [
      {
        name: 'Displaced patients',
        type: 'heatmap',
        label: { show: true },
        data: cells.map((c) => [
          areas.indexOf(c.area),
          specialties.indexOf(c.specialty),
          c.patients,
        ]),
      },
    ],
  };
}

function tierBars(impact: Impact) {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 130, right: 20, top: 10, bottom: 30 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: riskTiers.map(words), inverse: true },
    series: [
      {
        name: 'Displaced patients',
        type: 'bar',
        itemStyle: { color: '#a1261b' },
        label: { show: true, position: 'right' },
        data: riskTiers.map((t) => impact.counts.byTier[t] ?? 0),
      },
    ],
  };
}

const pageSize = 100;

export function ImpactView({ impact }: { impact: Impact }) {
  const { can } = useSession();
  const showNames = can('patients:read');
  const [shown, setShown] = useState(pageSize);
  const cells = bySpecialtyAndArea(impact);
  const patients = [...impact.patients].sort(
    (a, b) =>
      b.weight - a.weight ||
      (b.daysWithoutCare ?? 0) - (a.daysWithoutCare ?? 0) ||
      a.patientId.localeCompare(b.patientId),
  );
  const areaName = new Map(impact.counts.byServiceArea.map((a) => [a.serviceAreaId, a.name]));
  const groupName = new Map(impact.sessions.groups.map((g) => [g.groupId, g.name]));

  return (
    <div className="impact">
      <h2>Impact</h2>
      <p className="muted">
        From {formatInstant(impact.window.from)} until{' '}
        {impact.window.until ? formatInstant(impact.window.until) : 'further notice'}.
      </p>
      <div className="figures">
        <Figure
          label="Sessions to cancel"
          numerator={impact.sessions.toCancel}
          definition={`of ${count(impact.sessions.total)} sessions in the window`}
        />
        <Figure label="Sessions already cancelled" numerator={impact.sessions.alreadyCancelled} />
        <Figure label="Groups stopped" numerator={impact.sessions.groups.length} />
        <Figure label="Displaced patients" numerator={impact.counts.patients} />
      </div>

      <h3>By specialty and service area</h3>
      <div className="grid-2">
        <Chart
          option={heatMap(cells)}
          label="Heat map of displaced patients by specialty and service area; the same figures are in the table beside it."
          height={Math.min(
            520,
            Math.max(240, 110 + 40 * new Set(cells.map((c) => c.specialty)).size),
          )}
        />
        <Table
          caption="Sessions to cancel and displaced patients by specialty and service area"
          rowKey={(c) => c.key}
          rows={cells}
          columns={[
            { header: 'Specialty', cell: (c) => words(c.specialty) },
            { header: 'Service area', cell: (c) => c.area },
            { header: 'Sessions to cancel', cell: (c) => count(c.sessions), numeric: true },
            { header: 'Displaced patients', cell: (c) => count(c.patients), numeric: true },
          ]}
        />
      </div>

      <h3>By risk tier</h3>
      <div className="grid-2">
        <Chart
          option={tierBars(impact)}
          label="Bar chart of displaced patients by risk tier; the same figures are in the table beside it."
          height={240}
        />
        <Table
          caption="Displaced patients by risk tier"
          rowKey={(t) => t}
          rows={riskTiers}
          columns={[
            { header: 'Risk tier', cell: (t) => words(t) },
            {
              header: 'Displaced patients',
              cell: (t) => count(impact.counts.byTier[t] ?? 0),
              numeric: true,
            },
          ]}
        />
      </div>

      <h3>Displaced patients, worst risk first</h3>
      {patients.length === 0 ? (
        <p className="muted">No patient loses care.</p>
      ) : (
        <>
          <Table
            caption={`Displaced patients (${count(patients.length)})`}
            rowKey={(p) => p.patientId}
            rows={patients.slice(0, shown)}
            columns={[
              ...(showNames
                ? [{ header: 'Patient', cell: (p: (typeof patients)[number]) => p.name }]
                : []),
              { header: 'Risk tier', cell: (p) => words(p.tier) },
              { header: 'Need', cell: (p) => words(p.need) },
              { header: 'Service area', cell: (p) => areaName.get(p.serviceAreaId) ?? '—' },
              {
                header: 'Groups lost',
                cell: (p) => p.lostGroupIds.map((g) => groupName.get(g) ?? 'a group').join(', '),
              },
              {
                header: 'Days without care',
                cell: (p) => (p.daysWithoutCare === null ? '—' : count(p.daysWithoutCare)),
                numeric: true,
              },
              {
                header: 'Seen by',
                cell: (p) => (
                  <span className={p.overdue ? 'bad' : undefined}>
                    {formatInstant(p.deadline.dueBefore)}
                    {p.overdue ? ' (overdue)' : ''}
                  </span>
                ),
              },
            ]}
          />
          <div className="table-foot">
            <span className="muted">
              {count(Math.min(shown, patients.length))} of {count(patients.length)} shown
            </span>
            {shown < patients.length ? (
              <button
                type="button"
                onClick={() => {
                  setShown(shown + pageSize);
                }}
              >
                Show more
              </button>
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}
