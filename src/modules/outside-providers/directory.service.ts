import { createHash } from 'node:crypto';
import type { ServiceDeps } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import { readDirectoryCsv, writeDirectoryCsv } from './directory-csv.domain.ts';
import { writeDirectoryHsds } from './directory-hsds-export.domain.ts';
import { readDirectoryHsds } from './directory-hsds.domain.ts';
import {
  directoryLimits,
  maxBytesText,
  planImport,
  type DirectoryFormat,
  type ImportReport,
  type ParsedDirectory,
} from './directory.domain.ts';
import {
  insertOutsideProviders,
  listAllOutsideProviders,
  lockDirectoryImports,
  updateOutsideProvider,
} from './outside-providers.repository.ts';

/** A name-based UUID (version 5 layout, SHA-1), so an export names the same object the same way. */
function nameBasedId(key: string): string {
  const hex = createHash('sha1').update(`continuity:${key}`).digest('hex').slice(0, 32);
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function parse(format: DirectoryFormat, text: string): ParsedDirectory {
  switch (format) {
    case 'csv':
      return readDirectoryCsv(text);
    case 'hsds':
      return readDirectoryHsds(text);
  }
}

/** Rows in file order: CSV row numbers ascending, HSDS services as the file lists them. */
function inFileOrder(parsed: ParsedDirectory) {
  const order = new Map([...parsed.entries, ...parsed.rejected].map((e, i) => [e.row, i]));
  return (a: { row: number | string }, b: { row: number | string }) =>
    typeof a.row === 'number' && typeof b.row === 'number'
      ? a.row - b.row
      : (order.get(a.row) ?? 0) - (order.get(b.row) ?? 0);
}

/**
 * Importing and exporting the outside-provider directory as CSV or Open Referral HSDS 3 JSON.
 * Imports need catalogue:write, exports catalogue:read (UNAUTHENTICATED or FORBIDDEN otherwise).
 */
export function createDirectoryService({ db, access }: ServiceDeps) {
  return {
    /**
     * Adds and updates providers from a file, all in one transaction: when any row is rejected,
     * nothing is written and the report says why, row by row (`committed: false`). Importing the
     * same file again changes nothing. Throws PAYLOAD_TOO_LARGE past 32 MiB or 10,000 rows,
     * VALIDATION_FAILED for a file that cannot be read at all, and VERSION_CONFLICT or DUPLICATE
     * when someone changed the directory at the same moment. Audited as one event, counts only.
     */
    async importDirectory(format: DirectoryFormat, text: string): Promise<ImportReport> {
      await access.require('catalogue:write');
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > directoryLimits.maxBytes)
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `The file is ${bytes} bytes; an import takes at most ${maxBytesText}. Split the file.`,
          { bytes, maxBytes: directoryLimits.maxBytes },
        );
      const parsed = parse(format, text);
      const byFileOrder = inFileOrder(parsed);
      const report = await db.transaction().execute(async (trx) => {
        await lockDirectoryImports(trx);
        const plan = planImport(await listAllOutsideProviders(trx), parsed.entries);
        const rejected = [...parsed.rejected, ...plan.rejected].sort(byFileOrder);
        const result: ImportReport = {
          format,
          rows: parsed.entries.length + parsed.rejected.length,
          imported: plan.inserts.length,
          updated: plan.updates.length,
          unchanged: plan.unchanged,
          rejected,
          unused: parsed.unused,
          committed: rejected.length === 0,
        };
        if (!result.committed) return result;
        await insertOutsideProviders(
          trx,
          plan.inserts.map((insert) => insert.provider),
        );
        for (const update of plan.updates)
          await updateOutsideProvider(trx, update.id, update.version, update.patch);
        await access.record([auditRecord(result)], trx);
        return result;
      });
      if (!report.committed) await access.record([auditRecord(report)]);
      return report;
    },

    /** The whole directory as CSV or HSDS JSON text. */
    async exportDirectory(format: DirectoryFormat): Promise<string> {
      await access.require('catalogue:read');
      const providers = await listAllOutsideProviders(db);
      switch (format) {
        case 'csv':
          return writeDirectoryCsv(providers);
        case 'hsds':
          return writeDirectoryHsds(providers, nameBasedId);
      }
    },
  };
}

function auditRecord(report: ImportReport) {
  return {
    action: 'outside_provider.import',
    entity: 'outside_provider',
    detail: {
      format: report.format,
      rows: report.rows,
      imported: report.imported,
      updated: report.updated,
      unchanged: report.unchanged,
      rejected: report.rejected.length,
      committed: report.committed,
    },
  };
}
