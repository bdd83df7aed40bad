import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDimacs, writeDimacs } from './dimacs.domain.ts';
import { buildInstance, type MatchingInstance } from './solver-instance.domain.ts';
import { solveMatching } from './solver.domain.ts';

const plain = (instance: MatchingInstance) => ({
  edgeStart: [...instance.edgeStart],
  edgeOption: [...instance.edgeOption],
  edgeCost: [...instance.edgeCost],
  optionCapacity: [...instance.optionCapacity],
  unmatchedCost: [...instance.unmatchedCost],
});

const small = buildInstance({
  edges: [
    [
      [1, 40],
      [0, 15],
    ],
    [],
    [[1, 0]],
  ],
  optionCapacity: [2, 0],
  unmatchedCost: [900, 1200, 3000],
});

describe('writeDimacs', () => {
  it('writes patients, options and one sink, with the unmatched arcs', () => {
    expect(writeDimacs(small, ['three patients'])).toBe(
      [
        'c three patients',
        'p min 6 8',
        'n 1 1',
        'n 2 1',
        'n 3 1',
        'n 6 -3',
        'a 1 5 0 1 40',
        'a 1 4 0 1 15',
        'a 1 6 0 1 900',
        'a 2 6 0 1 1200',
        'a 3 5 0 1 0',
        'a 3 6 0 1 3000',
        'a 4 6 0 2 0',
        'a 5 6 0 0 0',
        '',
      ].join('\n'),
    );
  });
});

describe('readDimacs', () => {
  it('reads back what it wrote', () => {
    expect(plain(readDimacs(writeDimacs(small)))).toEqual(plain(small));
  });

  it('round-trips random instances, which then solve to the same objective', () => {
    const arbitrary = fc
      .record({
        patients: fc.integer({ min: 0, max: 20 }),
        options: fc.integer({ min: 0, max: 6 }),
      })
      .chain(({ patients, options }) =>
        fc.record({
          edges: fc.array(
            fc.array(
              fc.tuple(
                fc.integer({ min: 0, max: Math.max(options - 1, 0) }),
                fc.integer({ min: -50, max: 1000 }),
              ),
              { maxLength: options === 0 ? 0 : 4 },
            ),
            { minLength: patients, maxLength: patients },
          ),
          optionCapacity: fc.array(fc.integer({ min: 0, max: 5 }), {
            minLength: options,
            maxLength: options,
          }),
          unmatchedCost: fc.array(fc.integer({ min: 0, max: 5000 }), {
            minLength: patients,
            maxLength: patients,
          }),
        }),
      )
      .map(buildInstance);
    fc.assert(
      fc.property(arbitrary, (instance) => {
        const copy = readDimacs(writeDimacs(instance));
        expect(plain(copy)).toEqual(plain(instance));
        expect(solveMatching(copy).objective).toBe(solveMatching(instance).objective);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts another numbering, comments and blank lines', () => {
    const text = [
      'c sink first, then an option, then two patients',
      'p min 4 5',
      'n 1 -2',
      '',
      'n 3 1',
      'n 4 1',
      'a 2 1 0 1 0',
      'a 3 2 0 1 7',
      'a 3 1 0 1 100',
      'a 4 1 0 1 50',
      'a 4 2 0 1 3',
    ].join('\n');
    expect(plain(readDimacs(text))).toEqual({
      edgeStart: [0, 1, 2],
      edgeOption: [0, 0],
      edgeCost: [7, 3],
      optionCapacity: [1],
      unmatchedCost: [100, 50],
    });
  });

  it.each([
    ['a lower bound', 'p min 3 2\nn 1 1\nn 3 -1\na 1 2 1 1 5\na 1 3 0 1 9\n', /lower bound/],
    ['an arc between options', 'p min 4 2\nn 1 1\nn 4 -1\na 2 3 0 1 0\na 1 4 0 1 9\n', /shape/],
    ['a patient without unmatched', 'p min 3 1\nn 1 1\nn 3 -1\na 1 2 0 1 5\n', /unmatched/],
    ['a node out of range', 'p min 2 1\nn 1 1\nn 2 -1\na 1 5 0 1 5\n', /out of range/],
    ['a word for a number', 'p min 2 1\nn 1 one\n', /not an integer/],
    ['no problem line', 'c nothing\n', /no problem line/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => readDimacs(text)).toThrow(message);
  });
});
