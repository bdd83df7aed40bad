/* The re-matching API's shapes, as the dashboard reads them (src/modules/matching/*.schemas.ts). */

export const proposalOptions = ['group', 'outside_provider', 'individual', 'unmatched'] as const;
export type ProposalOption = (typeof proposalOptions)[number];
export type ProposalDecision = 'pending' | 'approved' | 'rejected' | 'committed';

export const optionLabels: Record<ProposalOption, string> = {
  group: 'Equivalent group',
  outside_provider: 'Outside provider',
  individual: 'Individual appointment',
  unmatched: 'Unmatched',
};

export interface ShortfallLine {
  specialty: string;
  serviceAreaId: string;
  serviceArea: string;
  accommodations: string[];
  patients: number;
  seatsToClear: number;
  text: string;
}

export interface MatchRun {
  id: string;
  disruptionId: string | null;
  params: Record<string, unknown>;
  stats: {
    patients: number;
    byOption: Partial<Record<ProposalOption, number>>;
    byTier: Record<string, Partial<Record<ProposalOption, number>>>;
    objective: number;
    optimal: boolean;
    edges: number;
    options: number;
    shortfall: ShortfallLine[];
    alreadyPlaced: number;
  };
  createdAt: string;
  createdBy: string;
  solveMs: number;
}

export interface ExplainedOption {
  optionId: string;
  option: ProposalOption;
  targetId: string;
  targetName: string;
  cost: number;
  mode: 'in_person' | 'virtual';
  firstSessionAt: string | null;
  equivalence: { score: number; via: string | null; rationale: string };
  terms: { term: string; value: number; weight: number; cost: number; detail: string }[];
  passed: string[];
}

export interface Proposal {
  id: string;
  runId: string;
  patientId: string;
  rank: number;
  tier: string;
  option: ProposalOption;
  targetId: string | null;
  cost: number;
  explanation: {
    need: string | null;
    tier: string;
    weight: number;
    lostGroupIds: string[];
    serviceAreaId: string;
    requires: string[];
    chosen: ExplainedOption | null;
    alternatives: ExplainedOption[];
    candidateCount: number;
    unmatchedCost: number;
    summary: string;
    kindReasons: Partial<Record<string, string>>;
  };
  decision: ProposalDecision;
  conflict: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  committedEntity: 'enrollment' | 'referral' | 'appointment' | null;
  committedId: string | null;
  version: number;
}

export interface CommitResult {
  runId: string;
  committed: { enrollments: number; referrals: number; appointments: number; unmatched: number };
  conflicts: { proposalId: string; patientId: string; reason: string }[];
}
