import type { Certification, Specialty } from '../vocabulary/vocabulary.domain.ts';
import { specialties } from '../vocabulary/vocabulary.domain.ts';

/**
 * Specialty equivalence (DESIGN.md, "Re-matching: the model"): how well care of one specialty
 * serves a patient who needs another. It is data, not code: a matrix with a score in [0, 1] and a
 * one-line clinical rationale per cell, read as need (rows) → care offered (columns). It is not
 * symmetric: a postpartum group is a fair place for a mother with depression, but a depression
 * group is a poor place for a postpartum mother with an infant.
 */
export interface EquivalenceCell {
  score: number;
  rationale: string;
}

/** Every need × every target specialty: a lookup always has a score and a rationale. */
export type EquivalenceMatrix = Readonly<
  Record<Specialty, Readonly<Record<Specialty, EquivalenceCell>>>
>;

type EquivalenceTable = Partial<Record<Specialty, Partial<Record<Specialty, EquivalenceCell>>>>;

export const identityCell: EquivalenceCell = {
  score: 1,
  rationale: 'same specialty',
};

/** The cells the table does not list. */
export const unrelatedCell: EquivalenceCell = {
  score: 0,
  rationale: 'unrelated: the care does not address this need',
};

/**
 * The clinically meaningful cells, need → target. Everything not listed is unrelated (0).
 * Scores of 0.5 and above clear the default floor; below it a pairing is never offered.
 */
export const defaultEquivalenceTable = {
  perinatal_mood_anxiety: {
    birth_trauma: {
      score: 0.7,
      rationale: 'a perinatal group sharing the postpartum context; centred on the birth, not mood',
    },
    depression: {
      score: 0.6,
      rationale: 'treats the low mood, but not the perinatal context: infant care, bonding, sleep',
    },
    perinatal_psychosis_risk: {
      score: 0.5,
      rationale: 'perinatal and infant-aware, but built around psychosis warning signs',
    },
    general_anxiety: {
      score: 0.2,
      rationale:
        'general anxiety groups do not address postpartum mood, infant care or bonding; the 2024 complaint',
    },
    ocd: {
      score: 0.2,
      rationale: 'perinatal intrusive thoughts overlap, but nothing of the postpartum context',
    },
    dbt_skills: {
      score: 0.3,
      rationale: 'emotion-regulation skills help; nothing perinatal',
    },
    grief: { score: 0.2, rationale: 'relevant only after a pregnancy or infant loss' },
    social_anxiety: { score: 0.1, rationale: 'targets social fears, not postpartum mood' },
  },
  perinatal_psychosis_risk: {
    psychosis: {
      score: 0.6,
      rationale: 'covers psychotic symptoms and relapse signs, not the postpartum context',
    },
    bipolar: {
      score: 0.6,
      rationale: 'postpartum psychosis is tied to bipolar disorder; mood-stability work applies',
    },
    perinatal_mood_anxiety: {
      score: 0.5,
      rationale: 'perinatal and infant-aware, but no psychosis monitoring: needs psychiatric cover',
    },
    birth_trauma: { score: 0.3, rationale: 'perinatal, but not built for psychosis risk' },
    depression: { score: 0.2, rationale: 'too low an acuity; no psychosis monitoring' },
    general_anxiety: {
      score: 0.1,
      rationale: 'addresses neither psychosis risk nor the postpartum context',
    },
  },
  birth_trauma: {
    perinatal_mood_anxiety: {
      score: 0.7,
      rationale: 'shares the postpartum context and often the distress; no trauma-focused work',
    },
    ptsd: {
      score: 0.6,
      rationale: 'trauma-focused treatment applies; the birth and infant context does not',
    },
    perinatal_psychosis_risk: { score: 0.3, rationale: 'perinatal, but a higher-acuity focus' },
    depression: { score: 0.3, rationale: 'treats low mood, not trauma after birth' },
    grief: { score: 0.3, rationale: 'helps where the birth involved loss; otherwise off-target' },
    general_anxiety: {
      score: 0.2,
      rationale: 'does not address birth trauma or the postpartum context',
    },
  },
  psychosis: {
    bipolar: {
      score: 0.5,
      rationale: 'shared serious-mental-illness skills (relapse signs, medication); other course',
    },
    perinatal_psychosis_risk: {
      score: 0.2,
      rationale: 'psychosis-aware, but a group for perinatal mothers',
    },
    depression: { score: 0.2, rationale: 'negative symptoms overlap only slightly' },
    substance_use: { score: 0.2, rationale: 'dual-diagnosis overlap only' },
    dbt_skills: { score: 0.2, rationale: 'coping skills help; no psychosis work' },
  },
  ptsd: {
    birth_trauma: {
      score: 0.5,
      rationale: 'trauma-focused, but only for trauma around childbirth',
    },
    general_anxiety: {
      score: 0.4,
      rationale: 'anxiety-management skills overlap; no trauma processing',
    },
    dbt_skills: {
      score: 0.4,
      rationale: 'emotion regulation eases trauma symptoms; no trauma processing',
    },
    depression: { score: 0.3, rationale: 'treats comorbid low mood, not the trauma' },
    substance_use: { score: 0.3, rationale: 'often co-occurs; treats only the substance use' },
    grief: { score: 0.3, rationale: 'traumatic loss overlaps; other trauma does not' },
    anger_management: { score: 0.2, rationale: 'addresses irritability only' },
  },
  eating_disorders: {
    dbt_skills: {
      score: 0.4,
      rationale: 'DBT skills target binge and purge urges; no nutrition or medical monitoring',
    },
    depression: { score: 0.2, rationale: 'treats comorbid mood only' },
    general_anxiety: { score: 0.2, rationale: 'treats comorbid anxiety only' },
    ocd: { score: 0.2, rationale: 'compulsive patterns overlap slightly' },
  },
  depression: {
    general_anxiety: {
      score: 0.6,
      rationale:
        'CBT groups for anxiety and depression share most methods; comorbidity is the rule',
    },
    grief: { score: 0.4, rationale: 'addresses low mood after loss' },
    dbt_skills: {
      score: 0.4,
      rationale: 'emotion-regulation skills help; not a depression course',
    },
    bipolar: {
      score: 0.3,
      rationale: 'centred on mood stability and mania; partial overlap',
    },
    social_anxiety: { score: 0.3, rationale: 'behavioural activation overlaps a little' },
    perinatal_mood_anxiety: {
      score: 0.2,
      rationale: 'a group for pregnant and postpartum patients; a poor fit otherwise',
    },
    ocd: { score: 0.2, rationale: 'CBT overlap only' },
    substance_use: { score: 0.2, rationale: 'treats comorbid substance use only' },
    adolescent_mood: { score: 0.1, rationale: 'an adolescent group: the wrong age group' },
  },
  general_anxiety: {
    social_anxiety: {
      score: 0.7,
      rationale: 'same CBT core (exposure, cognitive restructuring), narrower focus',
    },
    depression: { score: 0.6, rationale: 'transdiagnostic CBT overlap' },
    ocd: { score: 0.5, rationale: 'exposure work overlaps; ERP is more specific' },
    dbt_skills: { score: 0.4, rationale: 'distress tolerance helps; no anxiety exposure work' },
    ptsd: { score: 0.3, rationale: 'anxiety skills overlap; trauma focus does not apply' },
    perinatal_mood_anxiety: {
      score: 0.2,
      rationale: 'a group for pregnant and postpartum patients; a poor fit otherwise',
    },
  },
  social_anxiety: {
    general_anxiety: {
      score: 0.7,
      rationale: 'same CBT core; less exposure to social situations',
    },
    depression: { score: 0.4, rationale: 'transdiagnostic CBT overlap' },
    ocd: { score: 0.3, rationale: 'exposure work overlaps' },
  },
  ocd: {
    general_anxiety: {
      score: 0.5,
      rationale: 'exposure work helps; no ERP for obsessions and compulsions',
    },
    social_anxiety: { score: 0.3, rationale: 'exposure work overlaps' },
    depression: { score: 0.2, rationale: 'treats comorbid mood only' },
  },
  bipolar: {
    psychosis: {
      score: 0.5,
      rationale: 'shared serious-mental-illness skills (relapse signs, medication); other course',
    },
    depression: {
      score: 0.4,
      rationale: 'addresses the depressive pole only; no mania relapse planning',
    },
    dbt_skills: {
      score: 0.4,
      rationale: 'emotion regulation helps; mood-episode monitoring is missing',
    },
    perinatal_psychosis_risk: {
      score: 0.2,
      rationale: 'mood-aware, but a group for perinatal mothers',
    },
  },
  substance_use: {
    dbt_skills: {
      score: 0.4,
      rationale: 'distress tolerance and urge surfing help; not addiction treatment',
    },
    ptsd: { score: 0.3, rationale: 'treats the trauma that often drives use, not the use' },
    depression: { score: 0.2, rationale: 'treats comorbid mood only' },
    anger_management: { score: 0.2, rationale: 'impulse-control overlap only' },
  },
  grief: {
    depression: { score: 0.5, rationale: 'treats the low mood, not the loss itself' },
    ptsd: { score: 0.3, rationale: 'traumatic grief overlaps' },
  },
  dbt_skills: {
    anger_management: {
      score: 0.5,
      rationale: 'emotion regulation and interpersonal effectiveness overlap',
    },
    eating_disorders: {
      score: 0.4,
      rationale: 'uses DBT skills for urges, but a narrower, eating-focused programme',
    },
    bipolar: { score: 0.4, rationale: 'some emotion-regulation work; mood-episode focus' },
    substance_use: { score: 0.4, rationale: 'DBT-based urge work; not the full skills curriculum' },
    ptsd: { score: 0.3, rationale: 'trauma focus; some regulation skills' },
    depression: { score: 0.3, rationale: 'some regulation skills; not the DBT curriculum' },
    general_anxiety: { score: 0.3, rationale: 'some distress-tolerance overlap' },
  },
  anger_management: {
    dbt_skills: {
      score: 0.6,
      rationale: 'emotion regulation and distress tolerance cover anger control',
    },
    substance_use: { score: 0.2, rationale: 'impulse-control overlap only' },
  },
  adolescent_mood: {
    depression: {
      score: 0.4,
      rationale: 'treats the mood in an adult group; no family or school focus',
    },
    dbt_skills: {
      score: 0.4,
      rationale: 'DBT skills suit adolescents, but an adult group lacks the family component',
    },
    general_anxiety: { score: 0.3, rationale: 'an adult group; anxiety overlap only' },
  },
} satisfies EquivalenceTable;

/** The full matrix from a sparse table: identity on the diagonal, unrelated where not listed. */
export function matrixFromTable(table: EquivalenceTable): EquivalenceMatrix {
  const rows = {} as Record<Specialty, Record<Specialty, EquivalenceCell>>;
  for (const need of specialties) {
    const row = {} as Record<Specialty, EquivalenceCell>;
    for (const target of specialties)
      row[target] = need === target ? identityCell : (table[need]?.[target] ?? unrelatedCell);
    rows[need] = row;
  }
  return rows;
}

export const defaultEquivalenceMatrix: EquivalenceMatrix = matrixFromTable(defaultEquivalenceTable);

/** Needs that PMH-C (Perinatal Mental Health Certification) speaks to. */
export const perinatalSpecialties: readonly Specialty[] = [
  'perinatal_mood_anxiety',
  'perinatal_psychosis_risk',
  'birth_trauma',
];

/** A PMH-C clinician is perinatal-competent whatever specialties they list (DOMAIN.md). */
export const pmhcCell: EquivalenceCell = {
  score: 0.95,
  rationale: 'PMH-C certified: perinatal-competent whatever the listed specialties',
};

export function isSpecialty(value: string): value is Specialty {
  return (specialties as readonly string[]).includes(value);
}

export interface Equivalence extends EquivalenceCell {
  /** The offered specialty the score comes from; 'pmh_c' when the certification decided it. */
  via: Specialty | 'pmh_c' | null;
}

export interface EquivalenceOptions {
  /** The treating clinician's certifications; groups are judged by their specialty alone. */
  certifications?: readonly Certification[] | undefined;
  matrix?: EquivalenceMatrix | undefined;
}

/**
 * How well care offered in `target` (one specialty, or a clinician's several) serves a patient
 * who needs `need`. The best offered specialty counts; ties go to the first in vocabulary order
 * so the answer is deterministic. A PMH-C clinician scores at least 0.95 for a perinatal need.
 */
export function equivalence(
  need: Specialty,
  target: Specialty | readonly Specialty[],
  options: EquivalenceOptions = {},
): Equivalence {
  // Re-matching a region asks the same question millions of times: answers are kept per matrix.
  const matrix = options.matrix ?? defaultEquivalenceMatrix;
  const offered = typeof target === 'string' ? [target] : target;
  const pmhc = (options.certifications ?? []).includes('pmh_c');
  let answers = answered.get(matrix);
  if (!answers) {
    answers = new Map();
    answered.set(matrix, answers);
  }
  const key = `${need}|${offered.join(',')}|${pmhc ? 1 : 0}`;
  let answer = answers.get(key);
  if (!answer) {
    answer = Object.freeze(lookUp(matrix, need, offered, pmhc));
    answers.set(key, answer);
  }
  return answer;
}

const answered = new WeakMap<EquivalenceMatrix, Map<string, Equivalence>>();

function lookUp(
  matrix: EquivalenceMatrix,
  need: Specialty,
  offered: readonly Specialty[],
  certifiedPmhc: boolean,
): Equivalence {
  let best: Equivalence = {
    ...unrelatedCell,
    rationale: offered.length === 0 ? 'no specialty listed' : unrelatedCell.rationale,
    via: null,
  };
  for (const specialty of specialties) {
    if (!offered.includes(specialty)) continue;
    const cell = matrix[need][specialty];
    if (best.via === null || cell.score > best.score) best = { ...cell, via: specialty };
  }
  const pmhc = perinatalSpecialties.includes(need) && certifiedPmhc;
  if (pmhc && pmhcCell.score > best.score) return { ...pmhcCell, via: 'pmh_c' };
  return best;
}

/** An organization's change to one cell, as an operator enters it (so: checked). */
export interface EquivalenceOverride {
  need: string;
  target: string;
  score: number;
  rationale: string;
}

export type OverrideResult =
  { ok: true; matrix: EquivalenceMatrix } | { ok: false; problems: string[] };

/**
 * A new matrix with the organization's overrides applied; the given matrix is not changed.
 * Every problem is reported in words, by override number (from 1), and then nothing is applied.
 */
export function withOverrides(
  matrix: EquivalenceMatrix,
  overrides: readonly EquivalenceOverride[],
): OverrideResult {
  const problems: string[] = [];
  const seen = new Set<string>();
  const rows = {} as Record<Specialty, Record<Specialty, EquivalenceCell>>;
  for (const need of specialties) rows[need] = { ...matrix[need] };

  overrides.forEach((override, index) => {
    const where = `override ${index + 1} (${override.need} → ${override.target})`;
    const own: string[] = [];
    if (!isSpecialty(override.need)) own.push(`unknown need specialty "${override.need}"`);
    if (!isSpecialty(override.target)) own.push(`unknown target specialty "${override.target}"`);
    if (!Number.isFinite(override.score) || override.score < 0 || override.score > 1)
      own.push(`score ${override.score} is outside [0, 1]`);
    if (override.rationale.trim() === '') own.push('the rationale is empty');
    if (override.need === override.target && override.score !== 1)
      own.push('a specialty always fully serves itself (score 1)');
    const key = `${override.need}\u0000${override.target}`;
    if (seen.has(key)) own.push('this cell is overridden more than once');
    seen.add(key);
    for (const problem of own) problems.push(`${where}: ${problem}`);
    if (own.length === 0 && isSpecialty(override.need) && isSpecialty(override.target))
      rows[override.need][override.target] = {
        score: override.score,
        rationale: override.rationale.trim(),
      };
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, matrix: rows };
}
