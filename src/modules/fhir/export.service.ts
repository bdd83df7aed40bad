import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { ServiceDeps } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import { AppError, isAppError } from '../../shared/errors.ts';
import { uuidPattern, uuidv7 } from '../../shared/ids.ts';
import { isAllowed } from '../auth/policy.domain.ts';
import type { AccessRecord } from '../audit/access.service.ts';
import {
  expiresAt,
  exportPageSize,
  failureText,
  fileNameOf,
  fileUrlOf,
  heartbeatKey,
  isStalled,
  keepFilesForMs,
  manifestOf,
  ndjsonLine,
  outputsOf,
  parseExportRequest,
  progressText,
  sinceParams,
  type ExportRequest,
  type Manifest,
} from './export.domain.ts';
import {
  cancelExportJob,
  expireExportJobs,
  exportJobById,
  finishExportJob,
  groupExists,
  insertExportJob,
  recordExportProgress,
} from './export.repository.ts';
import type { ServedType } from './fhir.domain.ts';
import { sources, type Found, type SearchScope } from './sources.ts';
import { exportJobsOf, type ExportJobs } from './export-jobs.ts';

export type ExportService = ReturnType<typeof createExportService>;

/** The writer stops: the job was cancelled, here or on another replica. */
class ExportStopped extends Error {
  override name = 'ExportStopped';
}

/** What a kick-off names: the query as given, a Group when it is one, and the URL as asked. */
export interface KickOff {
  query: Readonly<Record<string, string | string[] | undefined>>;
  groupId: string | null;
  requestUrl: string;
}

export type ExportState =
  | { state: 'running'; progress: string }
  | { state: 'completed'; manifest: Manifest; expires: Date }
  | { state: 'failed'; error: string };

/** How far an export has got, for a progress bar. */
export interface ExportProgress {
  type: ServedType;
  typesDone: number;
  types: number;
  written: number;
}

const exportableTypes = () =>
  [...sources.values()].map((s) => ({ type: s.type, patientCompartment: s.patientCompartment }));

/**
 * FHIR Bulk Data export (HL7 Bulk Data Access IG v2): a kick-off starts a job that runs in this
 * process after the answer, writing one NDJSON file per type under DATA_DIR/exports/<job id>/,
 * a page of 1,000 resources at a time (memory stays flat whatever the size). Files are kept for
 * seven days (each kick-off deletes older ones) or until the client deletes them. Needs fhir:export and
 * each type's own permission (FORBIDDEN otherwise, audited). The kick-off is audited as one
 * event, and every patient the files name as one event per patient per export. Throws
 * VALIDATION_FAILED (a bad parameter), NOT_FOUND (no such Group, job or file).
 */
export function createExportService(
  { db, clock, config, access }: ServiceDeps,
  jobs: ExportJobs = exportJobsOf(db),
) {
  const exportsDir = resolve(config.DATA_DIR, 'exports');
  const jobDir = (id: string) => join(exportsDir, id);

  async function authorize(request?: ExportRequest) {
    await access.require('fhir:export', { action: 'fhir.export', entity: 'BulkExport' });
    for (const type of request?.types ?? []) {
      const source = sources.get(type);
      if (source) await access.require(source.permission, { action: 'fhir.export', entity: type });
    }
  }

  async function checkRequest(
    query: KickOff['query'],
    groupId: string | null,
  ): Promise<ExportRequest> {
    await authorize();
    const request = parseExportRequest(query, exportableTypes(), groupId !== null);
    await authorize(request);
    if (groupId !== null && !(uuidPattern.test(groupId) && (await groupExists(db, groupId))))
      throw new AppError('NOT_FOUND', `No Group with id ${groupId.slice(0, 64)}.`);
    return request;
  }

  /**
   * Writes each type's file into `dir`, paging through its source in key order; an empty type
   * leaves no file. `onPage` runs as each type starts and after each page is written (progress;
   * it may stop the export by throwing). Patients are audited once each, as their first page is
   * written.
   */
  async function writeFiles(
    exportId: string,
    dir: string,
    request: ExportRequest,
    groupId: string | null,
    signal: AbortSignal,
    onPage: (progress: ExportProgress) => Promise<void>,
  ): Promise<{ type: ServedType; count: number }[]> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const scope: SearchScope = {
      patients: isAllowed(access.actor.role, 'patients:read'),
      groupId,
    };
    const audited = new Set<string>();
    const auditPage = async (found: readonly Found[]) => {
      const records: AccessRecord[] = [];
      for (const { patientIds } of found)
        for (const patientId of patientIds)
          if (!audited.has(patientId)) {
            audited.add(patientId);
            records.push({
              action: 'fhir.export',
              entity: 'BulkExport',
              entityId: exportId,
              patientId,
            });
          }
      if (records.length > 0) await access.record(records);
    };

    const counts: { type: ServedType; count: number }[] = [];
    for (const [index, type] of request.types.entries()) {
      const source = sources.get(type);
      if (!source) continue;
      const path = join(dir, fileNameOf(type));
      const file = createWriteStream(path, { mode: 0o600 });
      let count = 0;
      try {
        await onPage({ type, typesDone: index, types: request.types.length, written: 0 });
        let after: string | null = null;
        for (;;) {
          signal.throwIfAborted();
          const found = await source.search(
            db,
            { params: sinceParams(request.since), count: exportPageSize, after },
            scope,
          );
          const page = found.slice(0, exportPageSize);
          await auditPage(page);
          // Respect back-pressure: wait for the file to drain rather than buffer a whole type.
          for (const { resource } of page)
            if (!file.write(ndjsonLine(resource))) await once(file, 'drain', { signal });
          count += page.length;
          await onPage({ type, typesDone: index, types: request.types.length, written: count });
          const last = page.at(-1);
          if (found.length <= exportPageSize || last === undefined) break;
          after = last.key;
        }
        file.end();
        await finished(file);
      } catch (error) {
        file.destroy();
        throw error;
      }
      if (count === 0) await unlink(path);
      counts.push({ type, count });
    }
    return counts;
  }

  /** The background part of a kick-off: write, then record the outcome. */
  async function run(
    id: string,
    request: ExportRequest,
    groupId: string | null,
    signal: AbortSignal,
  ) {
    const progress: Record<string, number> = {};
    let current: ServedType | null = null;
    try {
      const counts = await writeFiles(id, jobDir(id), request, groupId, signal, async (p) => {
        current = p.type;
        progress[p.type] = p.written;
        progress[heartbeatKey] = clock.now().getTime();
        if (!(await recordExportProgress(db, id, progress))) throw new ExportStopped();
      });
      const output = outputsOf(counts, (type) => fileUrlOf(id, type));
      if (!(await finishExportJob(db, id, { status: 'completed', output, at: clock.now() })))
        throw new ExportStopped();
    } catch (error) {
      // A partial export is never served: its files go (whatever made writing them fail).
      const removeFiles = () =>
        rm(jobDir(id), { recursive: true, force: true }).catch(() => undefined);
      if (error instanceof ExportStopped) {
        await removeFiles();
        return;
      }
      const code = signal.aborted
        ? 'the server stopped'
        : isAppError(error)
          ? error.code
          : typeof (error as { code?: unknown }).code === 'string'
            ? (error as { code: string }).code
            : 'internal error';
      await finishExportJob(db, id, {
        status: 'failed',
        error: failureText(current, code),
        at: clock.now(),
      });
      await removeFiles();
      if (!signal.aborted) throw error;
    }
  }

  async function liveJob(id: string) {
    await authorize();
    const job = uuidPattern.test(id) ? await exportJobById(db, id) : undefined;
    if (!job || job.status === 'cancelled')
      throw new AppError('NOT_FOUND', `No export with id ${id.slice(0, 64)}.`);
    return job;
  }

  return {
    /**
     * Starts an export (of everything, or of a Group's members' data) and answers at once with
     * its id; the files are written in the background. The kick-off is audited.
     */
    async kickOff({ query, groupId, requestUrl }: KickOff): Promise<{ id: string }> {
      const request = await checkRequest(query, groupId);
      if (requestUrl.length > 2000)
        throw new AppError('VALIDATION_FAILED', 'The request URL is longer than 2,000 characters.');
      // Files past their time go now: no timer to keep, and any replica can do it.
      const before = new Date(clock.now().getTime() - keepFilesForMs);
      for (const expired of await expireExportJobs(db, before))
        await rm(jobDir(expired), { recursive: true, force: true });
      const id = uuidv7();
      await db.transaction().execute(async (trx: Db) => {
        await insertExportJob(trx, {
          id,
          requestedBy: access.actor.label,
          requestUrl,
          types: request.types,
          since: request.since,
          groupId,
          transactionTime: clock.now(),
        });
        await access.record(
          [
            {
              action: 'fhir.export.start',
              entity: 'BulkExport',
              entityId: id,
              detail: {
                types: request.types,
                since: request.since?.toISOString() ?? null,
                groupId,
              },
            },
          ],
          trx,
        );
      });
      jobs.start(id, (signal) => run(id, request, groupId, signal));
      return { id };
    },

    /** A job's state: running (with progress), completed (the manifest), or failed. */
    async status(id: string, baseUrl: string): Promise<ExportState> {
      const job = await liveJob(id);
      switch (job.status) {
        case 'in_progress': {
          if (!isStalled(job, clock.now()))
            return { state: 'running', progress: progressText(job.types, job.progress) };
          const error = failureText(null, 'the server writing it stopped');
          await finishExportJob(db, id, { status: 'failed', error, at: clock.now() });
          await rm(jobDir(id), { recursive: true, force: true }).catch(() => undefined);
          return { state: 'failed', error };
        }
        case 'completed':
          return {
            state: 'completed',
            manifest: manifestOf(job, baseUrl),
            expires: expiresAt(job.completedAt ?? job.transactionTime),
          };
        case 'failed':
          return { state: 'failed', error: job.error ?? failureText(null, 'internal error') };
        case 'cancelled':
          throw new AppError('NOT_FOUND', `No export with id ${id}.`);
      }
    },

    /** Cancels a running job, or removes a finished one's files; the status then answers 404. */
    async cancel(id: string): Promise<void> {
      await liveJob(id);
      if (!(await cancelExportJob(db, id, clock.now())))
        throw new AppError('NOT_FOUND', `No export with id ${id}.`);
      await jobs.abort(id);
      await rm(jobDir(id), { recursive: true, force: true });
      await access.record([{ action: 'fhir.export.cancel', entity: 'BulkExport', entityId: id }]);
    },

    /** One file of a completed job, as a stream. The download is audited. */
    async file(id: string, name: string): Promise<{ stream: Readable; size: number }> {
      const job = await liveJob(id);
      const output = job.output.find((o) => o.url === `$export-file/${id}/${name}`);
      if (job.status !== 'completed' || !output)
        throw new AppError('NOT_FOUND', `No file ${name.slice(0, 64)} in export ${id}.`);
      const path = join(jobDir(id), fileNameOf(output.type as ServedType));
      const { size } = await stat(path);
      await access.record([
        {
          action: 'fhir.export.download',
          entity: 'BulkExport',
          entityId: id,
          detail: { type: output.type },
        },
      ]);
      return { stream: createReadStream(path), size };
    },

    /**
     * The same export written into a folder now (the CLI's `export fhir --out`), with no job to
     * poll. `query` takes `_type` and `_since` as the kick-off does. Returns the manifest, its
     * file addresses as file: URLs.
     */
    async exportTo(
      dir: string,
      query: KickOff['query'],
      groupId: string | null,
      onProgress: (progress: ExportProgress) => void = () => undefined,
    ): Promise<Manifest> {
      const request = await checkRequest(query, groupId);
      const id = uuidv7();
      const transactionTime = clock.now();
      await access.record([
        {
          action: 'fhir.export.start',
          entity: 'BulkExport',
          entityId: id,
          detail: {
            types: request.types,
            since: request.since?.toISOString() ?? null,
            groupId,
            to: 'folder',
          },
        },
      ]);
      const counts = await writeFiles(
        id,
        dir,
        request,
        groupId,
        new AbortController().signal,
        (progress) => {
          onProgress(progress);
          return Promise.resolve();
        },
      );
      const base = pathToFileURL(resolve(dir)).href;
      return manifestOf(
        {
          transactionTime,
          requestUrl: [
            'continuity export fhir',
            ...(query._type === undefined ? [] : [`--type ${request.types.join(',')}`]),
            ...(request.since ? [`--since ${request.since.toISOString()}`] : []),
            ...(groupId ? [`--group ${groupId}`] : []),
          ].join(' '),
          output: outputsOf(counts, fileNameOf),
        },
        base,
      );
    },
  };
}
