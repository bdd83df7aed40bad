import { describe, expect, it } from 'vitest';
import { specialties } from '../vocabulary/vocabulary.domain.ts';
import {
  defaultEquivalenceMatrix,
  equivalence,
  withOverrides,
  type EquivalenceOverride,
} from './equivalence.domain.ts';

describe('the default equivalence matrix', () => {
  it('has a row for every specialty and a cell for every pair', () => {
    expect(Object.keys(defaultEquivalenceMatrix).sort()).toEqual([...specialties].sort());
    for (const need of specialties)
      expect(Object.keys(defaultEquivalenceMatrix[need]).sort()).toEqual([...specialties].sort());
  });

  it('gives every cell a score in [0, 1] and a rationale', () => {
    for (const need of specialties)
      for (const target of specialties) {
        const cell = defaultEquivalenceMatrix[need][target];
        expect(cell.score).toBeGreaterThanOrEqual(0);
        expect(cell.score).toBeLessThanOrEqual(1);
        expect(cell.rationale.trim()).not.toBe('');
      }
  });

  it('scores a specialty 1 for itself and only for itself', () => {
    for (const need of specialties)
      for (const target of specialties)
        expect(defaultEquivalenceMatrix[need][target].score === 1).toBe(need === target);
  });

  it.each([
    { need: 'perinatal_mood_anxiety', target: 'general_anxiety', min: 0, max: 0.29 },
    { need: 'perinatal_mood_anxiety', target: 'depression', min: 0.5, max: 0.7 },
    { need: 'perinatal_mood_anxiety', target: 'birth_trauma', min: 0.6, max: 0.9 },
    { need: 'psychosis', target: 'bipolar', min: 0.4, max: 0.6 },
    { need: 'bipolar', target: 'psychosis', min: 0.4, max: 0.6 },
    { need: 'ptsd', target: 'birth_trauma', min: 0.4, max: 0.6 },
    { need: 'birth_trauma', target: 'ptsd', min: 0.4, max: 0.7 },
    { need: 'dbt_skills', target: 'eating_disorders', min: 0.2, max: 0.5 },
    { need: 'dbt_skills', target: 'bipolar', min: 0.2, max: 0.5 },
    { need: 'eating_disorders', target: 'grief', min: 0, max: 0 },
  ] as const)('scores $need → $target in [$min, $max]', ({ need, target, min, max }) => {
    const { score } = defaultEquivalenceMatrix[need][target];
    expect(score).toBeGreaterThanOrEqual(min);
    expect(score).toBeLessThanOrEqual(max);
  });

  it('says why a general anxiety group fails a postpartum mother', () => {
    expect(defaultEquivalenceMatrix.perinatal_mood_anxiety.general_anxiety.rationale).toMatch(
      /postpartum mood, infant care or bonding/,
    );
  });

  it('calls an unlisted pair unrelated', () => {
    expect(defaultEquivalenceMatrix.eating_disorders.grief).toEqual({
      score: 0,
      rationale: expect.stringMatching(/^unrelated/) as unknown,
    });
  });
});

describe('equivalence', () => {
  it('scores a postpartum patient low in a general anxiety group', () => {
    const result = equivalence('perinatal_mood_anxiety', 'general_anxiety');
    expect(result.score).toBeLessThan(0.3);
    expect(result.via).toBe('general_anxiety');
  });

  it.each(['perinatal_mood_anxiety', 'perinatal_psychosis_risk', 'birth_trauma'] as const)(
    'scores a PMH-C clinician at least 0.9 for %s, whatever they list',
    (need) => {
      const result = equivalence(need, ['general_anxiety'], { certifications: ['pmh_c'] });
      expect(result.score).toBeGreaterThanOrEqual(0.9);
      expect(result.via).toBe('pmh_c');
      expect(result.rationale).toMatch(/PMH-C/);
    },
  );

  it('does not let PMH-C lift a need that is not perinatal', () => {
    expect(equivalence('psychosis', ['general_anxiety'], { certifications: ['pmh_c'] }).score).toBe(
      0,
    );
  });

  it('keeps identity above the PMH-C score', () => {
    const result = equivalence('birth_trauma', ['birth_trauma'], { certifications: ['pmh_c'] });
    expect(result).toMatchObject({ score: 1, via: 'birth_trauma' });
  });

  it('takes the best of a clinician’s specialties', () => {
    const result = equivalence('perinatal_mood_anxiety', ['general_anxiety', 'depression']);
    expect(result).toMatchObject({ score: 0.6, via: 'depression' });
  });

  it('gives a rationale when nothing is listed', () => {
    expect(equivalence('depression', [])).toEqual({
      score: 0,
      rationale: 'no specialty listed',
      via: null,
    });
  });
});

describe('withOverrides', () => {
  const raise: EquivalenceOverride = {
    need: 'perinatal_mood_anxiety',
    target: 'general_anxiety',
    score: 0.4,
    rationale: 'our anxiety groups run a postpartum track',
  };

  it('applies overrides to a new matrix and leaves the default alone', () => {
    const result = withOverrides(defaultEquivalenceMatrix, [raise]);
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.matrix.perinatal_mood_anxiety.general_anxiety).toEqual({
      score: 0.4,
      rationale: 'our anxiety groups run a postpartum track',
    });
    expect(defaultEquivalenceMatrix.perinatal_mood_anxiety.general_anxiety.score).toBe(0.2);
    expect(
      equivalence('perinatal_mood_anxiety', 'general_anxiety', { matrix: result.matrix }).score,
    ).toBe(0.4);
  });

  it.each([
    {
      override: { ...raise, score: 1.5 },
      problem: 'override 1 (perinatal_mood_anxiety → general_anxiety): score 1.5 is outside [0, 1]',
    },
    {
      override: { ...raise, score: Number.NaN },
      problem: 'override 1 (perinatal_mood_anxiety → general_anxiety): score NaN is outside [0, 1]',
    },
    {
      override: { ...raise, need: 'postpartum' },
      problem: 'override 1 (postpartum → general_anxiety): unknown need specialty "postpartum"',
    },
    {
      override: { ...raise, target: 'anxiety' },
      problem: 'override 1 (perinatal_mood_anxiety → anxiety): unknown target specialty "anxiety"',
    },
    {
      override: { ...raise, rationale: '  ' },
      problem: 'override 1 (perinatal_mood_anxiety → general_anxiety): the rationale is empty',
    },
    {
      override: { ...raise, target: 'perinatal_mood_anxiety', score: 0.8 },
      problem:
        'override 1 (perinatal_mood_anxiety → perinatal_mood_anxiety): a specialty always fully serves itself (score 1)',
    },
  ])('rejects $problem', ({ override, problem }) => {
    expect(withOverrides(defaultEquivalenceMatrix, [override])).toEqual({
      ok: false,
      problems: [problem],
    });
  });

  it('rejects a cell overridden twice and applies nothing', () => {
    const result = withOverrides(defaultEquivalenceMatrix, [raise, { ...raise, score: 0.1 }]);
    expect(result).toEqual({
      ok: false,
      problems: [
        'override 2 (perinatal_mood_anxiety → general_anxiety): this cell is overridden more than once',
      ],
    });
  });
});
