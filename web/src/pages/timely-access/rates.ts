import type { EChartsCoreOption } from 'echarts';
import { labelOf, networkLabels, percent, standardLabels, humanize } from './labels.ts';

/* The timely-access rates as the API gives them, and what the page makes of them: names, the chart, the CSV. */

export const groupings = ['standard', 'service_area', 'specialty', 'network'] as const;
export type Grouping = (typeof groupings)[number];

export const groupingLabels: Record<Grouping, string> = {
  standard: 'Standard only',
  service_area: 'Service area',
  specialty: 'Specialty',
  network: 'Network',
};

export interface Rate {
  standard: string;
  group: string;
  met: number;
  missed: number;
  excepted: number;
  pending: number;
  denominator: number;
  rate: number | null;
  belowThreshold: boolean;
  definition: string;
}

export interface Rates {
  threshold: number;
  items: Rate[];
}

/** What a group key means: an area's name, a specialty, a network, or every request. */
export function groupName(
  grouping: Grouping,
  group: string,
  areaNames: ReadonlyMap<string, string>,
): string {
  switch (grouping) {
    case 'standard':
      return 'All requests';
    case 'service_area':
      return areaNames.get(group) ?? `Area ${group.slice(0, 8)}`;
    case 'specialty':
      return humanize(group);
    case 'network':
      return labelOf(networkLabels, group);
  }
}

/** Is this rate under the threshold? The API flags it for networks only, where DMHC's 70% applies. */
export function isBelow(rate: Rate, threshold: number): boolean {
  return rate.rate !== null && rate.rate < threshold;
}

/** A horizontal bar per standard (a bar per group within it), with the threshold drawn as a line. */
export function ratesChart(
  rates: readonly Rate[],
  grouping: Grouping,
  threshold: number,
  areaNames: ReadonlyMap<string, string>,
): EChartsCoreOption {
  const standards = [...new Set(rates.map((r) => r.standard))];
  const groups = [...new Set(rates.map((r) => r.group))];
  const thresholdPercent = Math.round(threshold * 100);
  return {
    // Colours that keep their contrast on white, apart from the threshold's red.
    color: ['#0b5cad', '#8a5300', '#1d6b36', '#6b3fa0', '#4f5862', '#00708a', '#b0306a'],
    grid: { left: 8, right: 56, top: groups.length > 1 ? 56 : 24, bottom: 32, containLabel: true },
    legend:
      groups.length > 1
        ? { top: 0, type: 'scroll', data: groups.map((g) => groupName(grouping, g, areaNames)) }
        : undefined,
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—'),
    },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: standards.map((s) => labelOf(standardLabels, s)),
      axisLabel: { width: 240, overflow: 'break', color: '#1b1f24' },
    },
    series: groups.map((group, index) => ({
      type: 'bar',
      name: groupName(grouping, group, areaNames),
      data: standards.map((standard) => {
        const rate = rates.find((r) => r.standard === standard && r.group === group);
        if (rate?.rate === null || rate === undefined) return null;
        const value = Math.round(rate.rate * 1000) / 10;
        // One series: a bar under the line is drawn in the warning red, as in the table.
        return groups.length === 1 && rate.rate < threshold
          ? { value, itemStyle: { color: '#a1261b' } }
          : value;
      }),
      ...(groups.length === 1 ? { itemStyle: { color: '#0b5cad' } } : {}),
      ...(index === 0
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              lineStyle: { color: '#a1261b', type: 'dashed', width: 2 },
              label: { formatter: `${thresholdPercent}%`, color: '#a1261b', fontWeight: 'bold' },
              data: [{ xAxis: thresholdPercent, name: `${thresholdPercent}% threshold` }],
            },
          }
        : {}),
    })),
  };
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The same figures as the table, as CSV: one row per standard and group. */
export function ratesCsv(
  rates: readonly Rate[],
  grouping: Grouping,
  threshold: number,
  period: { from: string; to: string },
  areaNames: ReadonlyMap<string, string>,
): string {
  const header = [
    'from',
    'to',
    'standard',
    'grouping',
    'group',
    'met (numerator)',
    'missed',
    'denominator (met + missed)',
    'rate',
    'excepted',
    'pending',
    `below ${Math.round(threshold * 100)}%`,
    'definition',
  ];
  const rows = rates.map((r) => [
    period.from,
    period.to,
    r.standard,
    grouping,
    groupName(grouping, r.group, areaNames),
    r.met,
    r.missed,
    r.denominator,
    r.rate === null ? '' : r.rate.toFixed(4),
    r.excepted,
    r.pending,
    isBelow(r, threshold) ? 'yes' : 'no',
    r.definition,
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Hands the browser a file to save. */
export function download(name: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export { percent };
