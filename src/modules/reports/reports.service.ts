import type { ServiceDeps } from '../../context.ts';
import { localDateOf } from '../../shared/clock.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { softwareVersion } from '../../shared/version.ts';
import { minimumCellSize } from '../aggregates/aggregates.domain.ts';
import { impactOf, windowOf } from '../disruptions/disruptions.domain.ts';
import { findDisruption, serviceAreaNames } from '../disruptions/disruptions.repository.ts';
import { loadCohort } from '../disruptions/disruptions.service.ts';
import { grievanceRates } from '../grievances/grievances.domain.ts';
import { grievanceCounts, totalMembers } from '../grievances/grievances.repository.ts';
import { referralCounts } from '../referrals/referrals.repository.ts';
import { refreshPatientClocks } from '../timely-access/patient-clocks.repository.ts';
import { rates } from '../timely-access/timely-access.repository.ts';
import { addCalendarDays, startOfLocalDay } from '../timely-access/calendar.domain.ts';
import { currentCalendar, standardDefinitions } from '../timely-access/timely-access.service.ts';
import {
  disruptionReport,
  patientOutcomes,
  type DisruptionReport,
  type Edition,
} from './disruption-report.domain.ts';
import {
  committedPlacements,
  firstVisits,
  latestProposals,
  latestShortfall,
  reportIssues,
} from './disruption-report.repository.ts';
import { printPdf } from './report-pdf.ts';
import {
  contentDigest,
  mediaTypes,
  reportHtml,
  reportJson,
  sha256,
  tableCsv,
  type IssuedReport,
  type ReportFormat,
} from './report-formats.ts';

export type ReportService = ReturnType<typeof createReportService>;

export interface ReportFile {
  filename: string;
  mediaType: string;
  body: Buffer;
  fileSha256: string;
}

export interface ReportRequest {
  /**
   * The data's time (default: now): an instant, or a day (YYYY-MM-DD) for the end of it in the
   * organization's time zone, or now if that is later. Never in the future.
   */
  asOf?: Date | string | undefined;
  edition: Edition;
  format: ReportFormat;
  /** For csv: the table to write, or `all` for a file per table (default: summary). */
  table?: string | undefined;
}

/** What `verify` finds of a file. */
export interface Verification {
  verdict: 'unaltered' | 'content-unaltered' | 'altered' | 'unknown';
  explanation: string;
  fileSha256: string;
  /** The content digest the file says it has, when it says one. */
  claimedContentSha256: string | null;
  /** The audit event that issued it (or the content it claims). */
  issued: {
    seq: number;
    at: Date;
    actor: string;
    disruptionId: string | null;
    format: string | null;
    edition: string | null;
    asOf: string | null;
  } | null;
}

const dayMs = 86_400_000;

function resolveAsOf(asOf: Date | string | undefined, now: Date, timeZone: string): Date {
  if (asOf === undefined) return now;
  if (asOf instanceof Date) return asOf;
  if (/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    const endOfDay = startOfLocalDay(addCalendarDays(asOf, 1), timeZone);
    return endOfDay > now && startOfLocalDay(asOf, timeZone) <= now ? now : endOfDay;
  }
  return new Date(asOf);
}

/** The content digest a file claims: `sha256:<hex>` in HTML and CSV, `evidence` in JSON. */
function claimedDigest(text: string): { digest: string | null; json: IssuedReport | null } {
  try {
    const parsed = JSON.parse(text) as IssuedReport;
    const digest = parsed.evidence.contentSha256;
    if (typeof digest === 'string') return { digest, json: parsed };
  } catch {
    // not JSON: look for the marker
  }
  return { digest: /sha256:([0-9a-f]{64})/.exec(text)?.[1] ?? null, json: null };
}

/**
 * Reports for the regulator and the public. The de-identified edition needs aggregates:read (the
 * auditor holds it); the full edition, which names patients, reports:full. Every report issued is
 * audited with the SHA-256 of its file and of its content, and the full edition with an event per
 * patient it names; `verify` finds a copy's issue again (audit:read).
 */
export function createReportService({ db, clock, config, access }: ServiceDeps) {
  const tz = config.TZ_ORG;

  async function build(
    id: string,
    asOf: Date,
    edition: Edition,
  ): Promise<{ report: DisruptionReport; patientIds: string[] }> {
    const disruption = await findDisruption(db, id);
    if (!disruption) throw notFound('disruption', id);
    const calendar = await currentCalendar(db, tz, clock.now());
    // The rates below read the stored verdicts: bring them up to date (at the real time; they are
    // then read as of the report's own).
    await refreshPatientClocks(db, clock.now(), tz);
    const window = windowOf(disruption, tz);
    const applied = disruption.appliedAt !== null && disruption.appliedAt <= asOf;
    const end = Math.min(window.until?.getTime() ?? asOf.getTime(), asOf.getTime());
    const period = { from: window.from, to: new Date(Math.max(end, window.from.getTime())) };
    const length = period.to.getTime() - period.from.getTime();
    const baseline = { from: new Date(period.from.getTime() - length), to: period.from };

    const displacedAt = disruption.appliedAt ?? asOf;
    const impact = applied
      ? (await loadCohort(db, disruption, displacedAt, tz, true)).impact
      : impactOf(
          { sessions: [], groups: [], patients: [], serviceAreas: new Map() },
          window,
          displacedAt,
          displacedAt,
          tz,
        );
    const [placements, latest, visits, shortfall] = await Promise.all([
      committedPlacements(db, id),
      latestProposals(db, id, asOf),
      firstVisits(db, id, displacedAt, asOf),
      latestShortfall(db, id, asOf),
    ]);
    const outcomes = patientOutcomes({
      impact,
      placements,
      latest,
      firstVisits: visits,
      asOf,
      calendar,
    });

    const cohort = { disruptionId: id };
    const since = { from: period.from, to: asOf };
    const [during, before, referrals, grievances, members] = await Promise.all([
      rates(db, { ...period, ...cohort }, 'standard', asOf, tz),
      rates(db, { ...baseline, ...cohort }, 'standard', asOf, tz),
      referralCounts(db, { ...since, ...cohort, asOf }, tz),
      grievanceCounts(db, { ...since, ...cohort }),
      totalMembers(db),
    ]);
    const days = Math.max(0, asOf.getTime() - period.from.getTime()) / dayMs;
    const grievanceRatesOf = (count: number) =>
      grievanceRates({
        grievances: count,
        members,
        days,
        affectedPatients: outcomes.length,
        affectedDefinition: 'the patients the disruption displaced',
      });
    const serviceAreas = await serviceAreaNames(db, [
      ...new Set([
        ...impact.patients.map((p) => p.serviceAreaId),
        ...impact.sessions.groups.map((g) => g.serviceAreaId),
      ]),
    ]);
    const report = disruptionReport(
      {
        disruption,
        asOf,
        period,
        baseline,
        applied,
        impact,
        outcomes,
        serviceAreas,
        timelyAccess: { during, before },
        standardDefinitions,
        referrals,
        grievances: {
          all: grievanceRatesOf(grievances.all),
          disruptionRelated: grievanceRatesOf(grievances.disruptionRelated),
        },
        shortfall,
      },
      edition,
      minimumCellSize,
    );
    return { report, patientIds: outcomes.map((o) => o.patientId) };
  }

  return {
    /**
     * The disruption continuity report as of `asOf`, in one format (csv: one table, or all of
     * them). Throws NOT_FOUND, FORBIDDEN (the full edition without reports:full), VALIDATION_FAILED
     * (a future asOf, an unknown table), UNAVAILABLE (pdf without Chromium).
     */
    async disruption(
      id: string,
      request: ReportRequest,
    ): Promise<{ report: IssuedReport; files: ReportFile[] }> {
      const record = { action: 'report.issue', entity: 'disruption', entityId: id };
      await access.require('aggregates:read', record);
      if (request.edition === 'full') await access.require('reports:full', record);
      const now = clock.now();
      const asOf = resolveAsOf(request.asOf, now, tz);
      if (asOf > now)
        throw new AppError(
          'VALIDATION_FAILED',
          `Invalid asOf: ${typeof request.asOf === 'string' ? `${request.asOf} in ${tz}` : asOf.toISOString()} has not come yet.`,
          {
            issues: [{ field: 'asOf', problem: 'must not be in the future' }],
          },
        );

      const { report, patientIds } = await build(id, asOf, request.edition);
      const evidence = {
        generatedAt: now.toISOString(),
        asOf: asOf.toISOString(),
        softwareVersion,
      };
      const issued: IssuedReport = {
        ...report,
        evidence: { ...evidence, contentSha256: contentDigest(report, evidence) },
      };

      const stem = `disruption-report-${id.slice(0, 8)}-${localDateOf(asOf, tz)}-${request.edition}`;
      const file = (suffix: string, mediaType: string, body: Buffer): ReportFile => ({
        filename: `${stem}${suffix}`,
        mediaType,
        body,
        fileSha256: sha256(body),
      });
      let files: ReportFile[];
      switch (request.format) {
        case 'json':
          files = [file('.json', mediaTypes.json, Buffer.from(reportJson(issued)))];
          break;
        case 'html':
          files = [file('.html', mediaTypes.html, Buffer.from(reportHtml(issued)))];
          break;
        case 'pdf': {
          const footer = `${report.disruption.title} · ${request.edition} · as of ${evidence.asOf} · generated ${evidence.generatedAt} · Continuity ${softwareVersion} · content sha256:${issued.evidence.contentSha256}`;
          const pdf = await printPdf(reportHtml(issued), footer, config.CHROMIUM_PATH);
          files = [file('.pdf', mediaTypes.pdf, pdf)];
          break;
        }
        case 'csv': {
          const wanted = request.table ?? 'summary';
          const tables =
            wanted === 'all' ? issued.tables : issued.tables.filter((t) => t.id === wanted);
          if (tables.length === 0)
            throw new AppError(
              'VALIDATION_FAILED',
              `Invalid table: no table ${wanted} in this report; it has ${['all', ...issued.tables.map((t) => t.id)].join(', ')}.`,
              {
                issues: [{ field: 'table', problem: 'unknown table' }],
                tables: ['all', ...issued.tables.map((t) => t.id)],
              },
            );
          files = tables.map((t) =>
            file(`-${t.id}.csv`, mediaTypes.csv, Buffer.from(tableCsv(issued, t))),
          );
          break;
        }
      }

      const detail = {
        disruptionId: id,
        format: request.format,
        edition: request.edition,
        asOf: evidence.asOf,
        generatedAt: evidence.generatedAt,
        softwareVersion,
        contentSha256: issued.evidence.contentSha256,
      };
      await db.transaction().execute((trx) =>
        access.record(
          [
            ...files.map((f) => ({
              ...record,
              detail: { ...detail, filename: f.filename, fileSha256: f.fileSha256 },
            })),
            ...(request.edition === 'full'
              ? patientIds.map((patientId) => ({ ...record, patientId }))
              : []),
          ],
          trx,
        ),
      );
      return { report: issued, files };
    },

    /**
     * Whether a file is a report Continuity issued, unaltered: its bytes' SHA-256 is in the audit
     * trail (`unaltered`); or, for JSON, its content still hashes to the digest it carries, which
     * was issued (`content-unaltered`: only the layout changed); or it claims an issued digest
     * its bytes do not match (`altered`); or neither is known (`unknown`). Needs audit:read.
     */
    async verify(bytes: Uint8Array): Promise<Verification> {
      await access.require('audit:read', { action: 'report.verify', entity: 'report' });
      const fileSha256 = sha256(bytes);
      const { digest, json } = claimedDigest(Buffer.from(bytes).toString('utf8'));
      const byFile = (await reportIssues(db, fileSha256)).find(
        (e) => e.detail.fileSha256 === fileSha256,
      );
      const byContent =
        digest === null
          ? undefined
          : (await reportIssues(db, digest)).find((e) => e.detail.contentSha256 === digest);
      const event = byFile ?? byContent;
      const text = (key: string) => {
        const value = event?.detail[key];
        return typeof value === 'string' ? value : null;
      };
      let verdict: Verification['verdict'];
      let explanation: string;
      if (byFile) {
        verdict = 'unaltered';
        explanation = 'This file is byte for byte the one Continuity issued.';
      } else if (byContent && json) {
        const { generatedAt, asOf, softwareVersion: version } = json.evidence;
        const report: DisruptionReport & { evidence?: unknown } = { ...json };
        delete report.evidence;
        const intact =
          contentDigest(report, { generatedAt, asOf, softwareVersion: version }) === digest;
        verdict = intact ? 'content-unaltered' : 'altered';
        explanation = intact
          ? 'The file was re-laid out, but its content still has the digest Continuity issued.'
          : 'The file claims the digest of a report Continuity issued, but its content does not have it: it was changed.';
      } else if (byContent) {
        verdict = 'altered';
        explanation =
          'The file claims the digest of a report Continuity issued, but it is not the file issued: it was changed.';
      } else {
        verdict = 'unknown';
        explanation =
          digest === null
            ? 'Continuity issued no file with this digest, and the file claims none.'
            : 'Continuity issued no report with this digest or the digest the file claims.';
      }
      await access.record([
        { action: 'report.verify', entity: 'report', detail: { fileSha256, verdict } },
      ]);
      return {
        verdict,
        explanation,
        fileSha256,
        claimedContentSha256: digest,
        issued: event
          ? {
              seq: event.seq,
              at: event.at,
              actor: event.actor,
              disruptionId: text('disruptionId'),
              format: text('format'),
              edition: text('edition'),
              asOf: text('asOf'),
            }
          : null,
      };
    },
  };
}
