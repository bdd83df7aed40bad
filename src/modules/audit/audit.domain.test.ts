import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  describeAuditFilter,
  findChainBreak,
  genesisHash,
  hashInput,
  type AuditEvent,
  type AuditEventInput,
} from './audit.domain.ts';
import { sha256 } from './audit.repository.ts';

function buildInput(n: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    at: new Date(Date.UTC(2025, 2, 3, 17, 0, n)),
    actor: `user:${n}`,
    action: 'patient.read',
    entity: 'patient',
    entityId: `0190f0a0-0000-7000-8000-00000000000${n}`,
    patientId: `0190f0a0-0000-7000-8000-00000000000${n}`,
    entityIds: null,
    patientIds: null,
    ip: '10.0.0.1',
    outcome: 'allowed',
    detail: { fields: ['risk'], count: n },
    ...overrides,
  };
}

/** A correctly chained trail of `length` events, seq 1…length. */
function buildChain(length: number): AuditEvent[] {
  let prevHash = genesisHash;
  return Array.from({ length }, (_, i) => {
    const input = buildInput(i + 1);
    const hash = sha256(hashInput(input, prevHash));
    const event = { ...input, seq: i + 1, prevHash, hash };
    prevHash = hash;
    return event;
  });
}

function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`No item ${index}`);
  return item;
}

describe('canonicalJson', () => {
  it.each([
    [
      { b: 1, a: 2 },
      { a: 2, b: 1 },
    ],
    [
      { outer: { z: [1, { y: 1, x: 2 }], a: null } },
      { outer: { a: null, z: [1, { x: 2, y: 1 }] } },
    ],
    [{ a: 1, dropped: undefined }, { a: 1 }],
  ])('gives %j and %j the same text', (left, right) => {
    expect(canonicalJson(left)).toBe(canonicalJson(right));
  });

  it('keeps array order, and tells different values apart', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
  });
});

describe('findChainBreak', () => {
  it('passes an intact chain and returns its last hash', () => {
    const chain = buildChain(5);
    expect(findChainBreak(chain, genesisHash, sha256)).toEqual({
      brokenAt: null,
      lastHash: at(chain, 4).hash,
    });
  });

  it('continues a chain from the hash the previous batch ended on', () => {
    const chain = buildChain(5);
    expect(findChainBreak(chain.slice(2), at(chain, 1).hash, sha256).brokenAt).toBeNull();
    expect(findChainBreak(chain.slice(2), genesisHash, sha256).brokenAt).toEqual({
      seq: 3,
      reason: 'prev_hash',
    });
  });

  it.each<[string, Partial<AuditEventInput>]>([
    ['actor', { actor: 'user:someone-else' }],
    ['action', { action: 'patient.list' }],
    ['at', { at: new Date(Date.UTC(2025, 2, 3, 17, 0, 59)) }],
    ['patientId', { patientId: null }],
    ['ip', { ip: '10.0.0.2' }],
    ['outcome', { outcome: 'denied' }],
    ['detail', { detail: { fields: ['risk', 'name'], count: 3 } }],
  ])('finds the event whose %s was altered', (_field, change) => {
    const chain = buildChain(5);
    chain[2] = { ...at(chain, 2), ...change };
    expect(findChainBreak(chain, genesisHash, sha256).brokenAt).toEqual({
      seq: 3,
      reason: 'hash',
    });
  });

  it('finds the event after an altered one whose hash was recomputed', () => {
    const chain = buildChain(5);
    const altered = { ...at(chain, 2), actor: 'user:forger' };
    chain[2] = { ...altered, hash: sha256(hashInput(altered, altered.prevHash)) };
    expect(findChainBreak(chain, genesisHash, sha256).brokenAt).toEqual({
      seq: 4,
      reason: 'prev_hash',
    });
  });

  it.each([
    ['the first', 0, 2],
    ['a middle', 2, 4],
  ])('finds the event after %s deleted event', (_which, index, expectedSeq) => {
    const chain = buildChain(5);
    chain.splice(index, 1);
    expect(findChainBreak(chain, genesisHash, sha256).brokenAt).toEqual({
      seq: expectedSeq,
      reason: 'prev_hash',
    });
  });

  it('finds two events swapped in order', () => {
    const chain = buildChain(5);
    const [second, third] = [at(chain, 1), at(chain, 2)];
    chain[1] = third;
    chain[2] = second;
    expect(findChainBreak(chain, genesisHash, sha256).brokenAt).toEqual({
      seq: 3,
      reason: 'prev_hash',
    });
  });
});

describe('describeAuditFilter', () => {
  it('keeps only the criteria given, with instants as ISO text', () => {
    expect(
      describeAuditFilter({
        actor: 'user:1',
        entity: undefined,
        from: new Date('2025-03-01T00:00:00Z'),
      }),
    ).toEqual({ actor: 'user:1', from: '2025-03-01T00:00:00.000Z' });
  });
});
