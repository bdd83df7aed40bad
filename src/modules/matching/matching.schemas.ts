import { z } from 'zod';
import { idParams, instant, pageOf, pageQuery, version } from '../../http/codecs.ts';
import { accommodations, specialties } from '../vocabulary/vocabulary.domain.ts';
import { costTerms } from './candidate-costs.domain.ts';
import { optionKinds } from './candidate-targets.domain.ts';
import { proposalDecisions, proposalOptions } from './plan.domain.ts';
import { riskTiers } from './risk.domain.ts';

const option = z.enum(proposalOptions);
const decision = z.enum(proposalDecisions);
const counts = z.record(option, z.number().int());

export const rematchBody = z
  .strictObject({
    maxTravelKm: z.number().min(1).max(500).optional().describe('Default 40 km.'),
    equivalenceFloor: z
      .number()
      .min(0.3)
      .max(1)
      .optional()
      .describe('The lowest acceptable specialty equivalence; default 0.5.'),
  })
  .nullish()
  .transform((body) => body ?? {})
  .describe('Optional: a request may have no body.');

const shortfallLine = z.object({
  specialty: z.enum(specialties),
  serviceAreaId: z.uuid(),
  serviceArea: z.string(),
  accommodations: z.array(z.enum(accommodations)),
  patients: z.number().int(),
  seatsToClear: z.number().int(),
  text: z.string(),
});

export const runSchema = z.object({
  id: z.uuid(),
  disruptionId: z.uuid().nullable(),
  params: z.record(z.string(), z.unknown()),
  stats: z.object({
    patients: z.number().int(),
    byOption: counts,
    byTier: z.record(z.enum(riskTiers), counts),
    objective: z.number(),
    optimal: z.boolean(),
    edges: z.number().int(),
    options: z.number().int(),
    shortfall: z.array(shortfallLine),
    alreadyPlaced: z.number().int(),
    timings: z.object({
      loadMs: z.number().int(),
      candidatesMs: z.number().int(),
      solveMs: z.number().int(),
      explainMs: z.number().int(),
    }),
  }),
  createdAt: instant,
  createdBy: z.string(),
  solveMs: z.number().int(),
});

const explainedOption = z.object({
  optionId: z.string(),
  option,
  targetId: z.uuid(),
  targetName: z.string(),
  cost: z.number(),
  mode: z.enum(['in_person', 'virtual']),
  firstSessionAt: z.string().nullable(),
  equivalence: z.object({ score: z.number(), via: z.string().nullable(), rationale: z.string() }),
  terms: z.array(
    z.object({
      term: z.enum(costTerms),
      value: z.number(),
      weight: z.number(),
      cost: z.number(),
      detail: z.string(),
    }),
  ),
  passed: z.array(z.string()),
});

export const proposalSchema = z.object({
  id: z.uuid(),
  runId: z.uuid(),
  patientId: z.uuid(),
  rank: z.number().int(),
  tier: z.enum(riskTiers),
  option,
  targetId: z.uuid().nullable(),
  cost: z.number(),
  explanation: z.object({
    need: z.enum(specialties).nullable(),
    tier: z.enum(riskTiers),
    weight: z.number(),
    lostGroupIds: z.array(z.uuid()),
    serviceAreaId: z.uuid(),
    requires: z.array(z.enum(accommodations)),
    chosen: explainedOption.nullable(),
    alternatives: z.array(explainedOption),
    candidateCount: z.number().int(),
    unmatchedCost: z.number(),
    summary: z.string(),
    kindReasons: z.partialRecord(z.enum(optionKinds), z.string()),
  }),
  decision,
  conflict: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: instant.nullable(),
  committedEntity: z.enum(['enrollment', 'referral', 'appointment']).nullable(),
  committedId: z.uuid().nullable(),
  version: z.number().int(),
});

const reviewDecision = z.enum(['pending', 'approved', 'rejected']);

export const decideBody = z.strictObject({
  version,
  decision: reviewDecision.optional(),
  optionId: z
    .string()
    .max(200)
    .optional()
    .describe('Swap in one of the proposal’s alternatives (its optionId).'),
});

export const decideManyBody = z.strictObject({
  decision: reviewDecision,
  proposalIds: z
    .array(z.uuid())
    .min(1)
    .max(100_000)
    .optional()
    .describe('Without it: every proposal of the run not yet committed.'),
});

export const listRunsQuery = z.strictObject({ ...pageQuery, disruptionId: z.uuid().optional() });
export const listProposalsQuery = z.strictObject({
  ...pageQuery,
  decision: decision.optional(),
  option: option.optional(),
});

export const commitSchema = z.object({
  runId: z.uuid(),
  committed: z.object({
    enrollments: z.number().int(),
    referrals: z.number().int(),
    appointments: z.number().int(),
    unmatched: z.number().int(),
  }),
  conflicts: z.array(z.object({ proposalId: z.uuid(), patientId: z.uuid(), reason: z.string() })),
});

export const runPage = pageOf(runSchema);
export const proposalPage = pageOf(proposalSchema);
export { idParams };
