/**
 * The audit trail: one event per access to patient data, hash-chained so that any edit or
 * deletion shows. Each event's hash covers its fields and the previous event's hash.
 */

export type AuditOutcome = 'allowed' | 'denied';

export interface AuditEventInput {
  at: Date;
  /** The actor's label: `user:<id>`, `token:<id>`, `cli:<os user>`, `anonymous`. */
  actor: string;
  /** What was done, as `<entity>.<verb>`: `patient.read`, `enrollment.create`, `patient.list`. */
  action: string;
  entity: string;
  entityId: string | null;
  patientId: string | null;
  /**
   * A list's one event names every record it showed (`entityIds`) and, in the same order, the
   * patient each is about (`patientIds`), as an R4 AuditEvent names many entities; null for an
   * event about one record.
   */
  entityIds: readonly string[] | null;
  patientIds: readonly string[] | null;
  ip: string | null;
  outcome: AuditOutcome;
  /** Ids, counts and filters only: never names, notes or other patient data. */
  detail: Record<string, unknown>;
}

export interface AuditEvent extends AuditEventInput {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The hash the first event chains to. */
export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** The text an event's hash is computed over. */
export function hashInput(event: AuditEventInput, prevHash: string): string {
  return canonicalJson({
    at: event.at.toISOString(),
    actor: event.actor,
    action: event.action,
    entity: event.entity,
    entityId: event.entityId,
    patientId: event.patientId,
    // Absent rather than null when not a list, so events written before lists had them still hash
    // as they did.
    entityIds: event.entityIds ?? undefined,
    patientIds: event.patientIds ?? undefined,
    ip: event.ip,
    outcome: event.outcome,
    detail: event.detail,
    prevHash,
  });
}

export type ChainBreak = { seq: number; reason: 'prev_hash' | 'hash' };

/**
 * Walks events in sequence order and returns the first that does not chain, or null when the
 * chain is intact. `sha256` is passed in so this stays pure.
 */
export function findChainBreak(
  events: Iterable<AuditEvent>,
  previousHash: string,
  sha256: (text: string) => string,
): { brokenAt: ChainBreak | null; lastHash: string } {
  let prev = previousHash;
  for (const event of events) {
    if (event.prevHash !== prev)
      return { brokenAt: { seq: event.seq, reason: 'prev_hash' }, lastHash: prev };
    if (sha256(hashInput(event, prev)) !== event.hash)
      return { brokenAt: { seq: event.seq, reason: 'hash' }, lastHash: prev };
    prev = event.hash;
  }
  return { brokenAt: null, lastHash: prev };
}

/** The outcome of walking the whole chain (`continuity audit verify` prints it). */
export interface ChainVerification {
  intact: boolean;
  /** Events that chain correctly, from the first up to the break (or the end). */
  checked: number;
  /** The seq of the last event that chains correctly; null when there is none. */
  lastSeq: number | null;
  /** The first event that does not chain, and why; null when the chain is intact. */
  brokenAt: ChainBreak | null;
}

/** What an audit search may ask for; every given criterion must hold. */
export interface AuditFilter {
  patientId?: string | undefined;
  /** The actor's label, exactly: `user:<id>`, `token:<id>`, `cli:<os user>`, `anonymous`. */
  actor?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  action?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** Events at or after this instant. */
  from?: Date | undefined;
  /** Events before this instant (exclusive, so consecutive windows do not overlap). */
  to?: Date | undefined;
}

/** The criteria of a search as the audit trail records them: only those given, instants as ISO text. */
export function describeAuditFilter(filter: AuditFilter): Record<string, string> {
  const described: Record<string, string> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value instanceof Date) described[key] = value.toISOString();
    else if (typeof value === 'string') described[key] = value;
  }
  return described;
}
