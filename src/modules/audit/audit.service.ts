import type { ServiceDeps } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import type { AccessRecord } from './access.service.ts';
import {
  describeAuditFilter,
  findChainBreak,
  genesisHash,
  type AuditEvent,
  type AuditFilter,
  type ChainVerification,
} from './audit.domain.ts';
import { countAuditEvents, readAuditChain, searchAuditEvents, sha256 } from './audit.repository.ts';

/** How many events verify reads at a time: enough to be quick, few enough to stay small in memory. */
export const verifyBatchSize = 5_000;

/** Progress of a verify run, reported after each batch. `total` is the count when the run began. */
export interface VerifyProgress {
  checked: number;
  total: number;
}

/** An audit event as a search returns it: what happened, and its hash to compare with an export. */
export type AuditEventView = Omit<AuditEvent, 'prevHash'>;

function toView({ prevHash: _prevHash, ...event }: AuditEvent): AuditEventView {
  return event;
}

/**
 * Checks every event in seq order, a batch at a time, carrying the last good hash across batches.
 * It checks no permission and audits nothing: `verify` below is the use case.
 */
export async function walkChain(
  db: Db,
  onProgress?: (progress: VerifyProgress) => void,
  batchSize: number = verifyBatchSize,
): Promise<ChainVerification> {
  const total = onProgress ? await countAuditEvents(db) : 0;
  let previousHash = genesisHash;
  let checked = 0;
  let lastSeq: number | null = null;
  for (;;) {
    const batch = await readAuditChain(db, lastSeq ?? 0, batchSize);
    const { brokenAt, lastHash } = findChainBreak(batch, previousHash, sha256);
    if (brokenAt) {
      const intactInBatch = batch.findIndex((event) => event.seq === brokenAt.seq);
      return {
        intact: false,
        checked: checked + intactInBatch,
        lastSeq: batch[intactInBatch - 1]?.seq ?? lastSeq,
        brokenAt,
      };
    }
    checked += batch.length;
    lastSeq = batch.at(-1)?.seq ?? lastSeq;
    onProgress?.({ checked, total: Math.max(total, checked) });
    if (batch.length < batchSize) return { intact: true, checked, lastSeq, brokenAt: null };
    previousHash = lastHash;
  }
}

export type AuditService = ReturnType<typeof createAuditService>;

/** Verifying and searching the audit trail (permission audit:read: admin and compliance). */
export function createAuditService({ db, access }: ServiceDeps) {
  return {
    /**
     * Walks the whole chain in seq order and stops at the first event that does not chain: an
     * edited event fails its own hash; a deleted one breaks the prev_hash of the event after it.
     * (Deleting the newest events leaves a shorter chain that is still whole: compare `lastSeq`
     * with one kept elsewhere to catch that.) The run is audited after it finishes, with its result.
     * Throws UNAUTHENTICATED or FORBIDDEN.
     */
    async verify(onProgress?: (progress: VerifyProgress) => void): Promise<ChainVerification> {
      const record: AccessRecord = { action: 'audit.verify', entity: 'audit_event' };
      await access.require('audit:read', record);
      const result = await walkChain(db, onProgress);
      await access.record([
        { ...record, detail: { checked: result.checked, intact: result.intact } },
      ]);
      return result;
    },

    /**
     * Events that meet every criterion of `filter`, newest first. The search is audited (refused
     * ones too, as denied). Throws UNAUTHENTICATED, FORBIDDEN or BAD_CURSOR.
     */
    async search(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEventView>> {
      const record: AccessRecord = {
        action: 'audit.search',
        entity: 'audit_event',
        patientId: filter.patientId ?? null,
        detail: describeAuditFilter(filter),
      };
      await access.require('audit:read', record);
      const found = await searchAuditEvents(db, filter, page);
      await access.record([record]);
      return { items: found.items.map(toView), nextCursor: found.nextCursor };
    },
  };
}
