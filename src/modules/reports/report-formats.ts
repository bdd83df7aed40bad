import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import * as echarts from 'echarts';
import type { DisruptionReport } from './disruption-report.domain.ts';
import type { Cell, Column, ReportTable } from './report-table.domain.ts';

/*
 * The report's formats: JSON, CSV (one table per file), and HTML that prints well, with its
 * charts drawn as SVG on the server (Apache ECharts' server-side rendering), so the file stands
 * alone. PDF is this HTML printed by Chromium (report-pdf.ts).
 *
 * Evidence: every format carries when it was generated, the data's as-of time, the software
 * version and `contentSha256`, the SHA-256 of the report's JSON with its evidence but without that
 * hash (see contentDigest). The audit trail records it with the SHA-256 of the file's bytes.
 */

export const reportFormats = ['html', 'pdf', 'csv', 'json'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export interface Evidence {
  generatedAt: string;
  asOf: string;
  softwareVersion: string;
  /** SHA-256 (hex) of the report with this evidence, less this field: see contentDigest. */
  contentSha256: string;
}

export type IssuedReport = DisruptionReport & { evidence: Evidence };

export const sha256 = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

/** The SHA-256 of a report's content: its JSON, evidence included, the digest itself left out. */
export function contentDigest(
  report: DisruptionReport,
  evidence: Omit<Evidence, 'contentSha256'>,
): string {
  const { generatedAt, asOf, softwareVersion } = evidence;
  return sha256(JSON.stringify({ ...report, evidence: { generatedAt, asOf, softwareVersion } }));
}

export const mediaTypes = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const satisfies Record<ReportFormat, string>;

export function reportJson(report: IssuedReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function cellText(column: Column, cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (column.kind === 'rate') return cell.toFixed(4);
  if (column.kind === 'measure' || column.kind === 'days')
    return String(Math.round(cell * 100) / 100);
  return String(cell);
}

/**
 * One table as CSV, after `#` lines that say what it is and carry the evidence (csv-parse reads
 * them as comments with `comment: '#'`). A withheld cell is empty and named in a `#` line.
 */
export function tableCsv(report: IssuedReport, table: ReportTable): string {
  const e = report.evidence;
  const head = [
    `# ${report.disruption.title}: ${table.title}`,
    `# ${table.definition}`,
    `# edition ${report.edition}; as of ${e.asOf}; generated ${e.generatedAt}; Continuity ${e.softwareVersion}`,
    `# content sha256:${e.contentSha256}`,
    ...(table.suppressed.length > 0
      ? [
          `# withheld (fewer than ${report.minimumCellSize} patients, or would reveal such a cell): ${table.suppressed.join(' ')}`,
        ]
      : []),
  ];
  const rows = [...table.rows, ...(table.total ? [table.total] : [])].map((row) =>
    table.columns.map((c) => cellText(c, row[c.key])),
  );
  return `${head.join('\n')}\n${stringify([table.columns.map((c) => c.key), ...rows])}`;
}

const escapeHtml = (text: string): string =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

function cellHtml(column: Column, cell: Cell | undefined, withheld: boolean): string {
  if (withheld) return '<span class="withheld">withheld</span>';
  if (cell === null || cell === undefined) return '<span class="none">–</span>';
  if (typeof cell === 'string')
    return column.kind === 'date'
      ? escapeHtml(cell.replace('T', ' ').slice(0, 16))
      : escapeHtml(cell);
  if (column.kind === 'rate') return `${(cell * 100).toFixed(1)}%`;
  if (column.kind === 'measure' || column.kind === 'days')
    return (Math.round(cell * 100) / 100).toLocaleString('en-US');
  return cell.toLocaleString('en-US');
}

function tableHtml(table: ReportTable): string {
  const withheld = new Set(table.suppressed);
  const numeric = (c: Column) => c.kind !== 'text' && c.kind !== 'date';
  const row = (cells: Record<string, Cell>, address: string, tag: 'td' | 'th') =>
    `<tr${address === 'total' ? ' class="total"' : ''}>${table.columns
      .map(
        (c) =>
          `<${tag}${numeric(c) ? ' class="num"' : ''}>${cellHtml(c, cells[c.key], withheld.has(`${address}.${c.key}`))}</${tag}>`,
      )
      .join('')}</tr>`;
  const body =
    table.rows.length === 0
      ? `<tr><td colspan="${table.columns.length}" class="none">None.</td></tr>`
      : table.rows.map((r, i) => row(r, String(i), 'td')).join('\n');
  return `<table id="table-${table.id}">
<thead><tr>${table.columns.map((c) => `<th scope="col"${numeric(c) ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`).join('')}</tr></thead>
<tbody>
${body}
${table.total ? row(table.total, 'total', 'td') : ''}
</tbody>
</table>`;
}

const palette = ['#1f5f8b', '#c2410c', '#6b7280', '#15803d', '#7c3aed'];

/** An SVG bar chart of some columns of a table, drawn by ECharts on the server. */
function barChart(
  table: ReportTable,
  title: string,
  categoryKey: string,
  series: { key: string; name: string }[],
  options: { stacked?: boolean; percent?: boolean } = {},
): string {
  const rows = table.rows;
  if (rows.length === 0) return '';
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: 680,
    height: Math.max(180, 60 + rows.length * 28),
  });
  chart.setOption({
    animation: false,
    color: palette,
    title: { text: title, textStyle: { fontSize: 13, fontWeight: 'normal' } },
    legend: series.length > 1 ? { top: 0, right: 0 } : undefined,
    grid: { left: 8, right: 48, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: 'value',
      max: options.percent ? 100 : undefined,
      axisLabel: { formatter: options.percent ? '{value}%' : '{value}' },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((r) => {
        const text = String(r[categoryKey] ?? '');
        return text.length > 48 ? `${text.slice(0, 47)}…` : text;
      }),
    },
    series: series.map((s) => ({
      type: 'bar',
      name: s.name,
      stack: options.stacked ? 'all' : undefined,
      label: { show: !options.stacked, position: 'right' },
      // A withheld or missing figure is a gap, never a zero.
      data: rows.map((r) => {
        const value = r[s.key];
        if (typeof value !== 'number') return '-';
        return options.percent ? Math.round(value * 1000) / 10 : value;
      }),
    })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return `<figure class="chart" role="img" aria-label="${escapeHtml(title)}">${svg}</figure>`;
}

function chartFor(table: ReportTable): string {
  switch (table.id) {
    case 'displaced-by-risk-tier':
      return barChart(table, 'Patients displaced, by risk tier', 'key', [
        { key: 'patients', name: 'Patients' },
      ]);
    case 'placement':
      return barChart(table, 'How each patient was placed', 'how', [
        { key: 'patients', name: 'Patients' },
      ]);
    case 'deadlines':
      return barChart(
        table,
        'Seen in time',
        'deadline',
        [
          { key: 'met', name: 'Met' },
          { key: 'missed', name: 'Missed' },
          { key: 'pending', name: 'Pending' },
        ],
        { stacked: true },
      );
    case 'timely-access': {
      const byStandard = new Map<string, Record<string, Cell>>();
      for (const row of table.rows) {
        const standard = String(row.standard);
        byStandard.set(standard, {
          ...byStandard.get(standard),
          standard,
          [String(row.period)]: row.rate ?? null,
        });
      }
      return barChart(
        { ...table, rows: [...byStandard.values()] },
        'Timely-access rate, before and during (70% expected)',
        'standard',
        [
          { key: 'before', name: 'Before' },
          { key: 'during', name: 'During' },
        ],
        { percent: true },
      );
    }
    default:
      return '';
  }
}

const styles = `
  :root { color: #111827; font: 10.5pt/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
  body { margin: 0 auto; max-width: 190mm; padding: 12mm 0; }
  h1 { font-size: 17pt; margin: 0 0 2mm; }
  h2 { font-size: 12.5pt; margin: 7mm 0 1.5mm; break-after: avoid; }
  p.definition { margin: 0 0 2mm; color: #374151; font-size: 9pt; break-after: avoid; }
  .meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; font-size: 9.5pt; }
  .meta dt { color: #4b5563; } .meta dd { margin: 0; }
  .edition { display: inline-block; padding: 0.5mm 2mm; border: 1px solid #1f5f8b; border-radius: 2mm;
    color: #1f5f8b; font-size: 9pt; font-weight: bold; text-transform: uppercase; }
  .notice { border-left: 3px solid #c2410c; padding: 1mm 3mm; background: #fff7ed; font-size: 9.5pt; }
  table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 2mm; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  th, td { border-bottom: 1px solid #d1d5db; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
  th { background: #f3f4f6; font-weight: 600; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  td.num { white-space: nowrap; }
  tr.total td { font-weight: 600; border-top: 1.5px solid #6b7280; }
  .withheld { color: #6b7280; font-style: italic; }
  .none { color: #9ca3af; }
  figure.chart { margin: 1mm 0 2mm; break-inside: avoid; }
  figure.chart svg { max-width: 100%; height: auto; }
  section { break-inside: auto; }
  footer.evidence { margin-top: 8mm; padding-top: 2mm; border-top: 1px solid #d1d5db; font-size: 8pt;
    color: #374151; word-break: break-all; }
  @page { size: Letter; margin: 14mm 12mm 16mm; }
  @media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
`;

/** The report as a standalone HTML page that prints well (Letter, tables repeat their heads). */
export function reportHtml(report: IssuedReport): string {
  const d = report.disruption;
  const e = report.evidence;
  const when = (iso: string | null) =>
    iso === null ? '–' : iso.replace('T', ' ').slice(0, 16) + ' UTC';
  const meta: [string, string][] = [
    ['Disruption', `${d.title} (${d.kind.replaceAll('_', ' ')}, ${d.status})`],
    ['Dates', `${d.startsOn} to ${d.endsOn ?? 'open-ended'}`],
    [
      'Scope',
      `${d.scope.clinicians} clinicians, ${d.scope.locations} locations, ${d.scope.groups} groups, ${d.scope.serviceAreas} service areas named`,
    ],
    ['Applied', when(d.appliedAt)],
    ['Period measured', `${when(report.period.from)} to ${when(report.period.to)}`],
    ['Baseline (before)', `${when(report.baseline.from)} to ${when(report.baseline.to)}`],
    ['Data as of', when(e.asOf)],
    ['Generated', when(e.generatedAt)],
  ];
  const sections = report.tables
    .map(
      (t) => `<section id="${t.id}">
<h2>${escapeHtml(t.title)}</h2>
<p class="definition">${escapeHtml(t.definition)}</p>
${chartFor(t)}
${tableHtml(t)}
</section>`,
    )
    .join('\n');
  const edition =
    report.edition === 'full'
      ? 'Full edition: names patients. Confidential health information.'
      : `De-identified edition: no patient is named, and counts of 1 to ${report.minimumCellSize - 1} patients (and any cell that would reveal one) are withheld.`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="continuity-content-sha256" content="${e.contentSha256}">
<title>Disruption continuity report: ${escapeHtml(d.title)}</title>
<style>${styles}</style>
</head>
<body>
<header>
<h1>Disruption continuity report</h1>
<p><span class="edition">${report.edition === 'full' ? 'Full' : 'De-identified'}</span> ${escapeHtml(edition)}</p>
<dl class="meta">${meta.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${report.applied ? '' : `<p class="notice">The disruption had not been applied by the report time: no session had been cancelled and no patient displaced.</p>`}
</header>
<main>
${sections}
</main>
<footer class="evidence">
<p>Generated ${escapeHtml(e.generatedAt)} by Continuity ${escapeHtml(e.softwareVersion)} from data as of ${escapeHtml(e.asOf)}.
Content SHA-256: <code>sha256:${e.contentSha256}</code>. The digest of this file and of its content are recorded in Continuity's audit trail; <code>continuity report verify FILE</code> shows whether a copy is unaltered.</p>
</footer>
</body>
</html>
`;
}
