/** What a run produces: agents, epochs, interactions. */
import type { InteractionType, Profile } from "../spec/plan.ts";

/** What the proxy reads off one interaction (src/mechanisms/interactions/soft-labels.ts turns it into v̂ and p). */
export interface Observables {
  taskProgress: number;
  rework: number;
  rejections: number;
  misuse: number;
  engagement: number;
}

export interface AgentRecord {
  id: string;
  kind: string;
  group: string;
  reputation: number;
  resources: number;
  payoff: number;
  frozen: boolean;
  /** Interactions initiated (accepted ones only in swarm-0.1, as in the reference; all in sbx). */
  interactionsInitiated: number;
  /** Interactions received (same rule). */
  interactionsReceived: number;
  /**
   * Initiated interactions that were rejected (always 0 in swarm-0.1, as in
   * the reference). The engine always sets it; optional for records built elsewhere.
   */
  interactionsRejected?: number;
}

export interface EpochRecord {
  /** Counts from 0. */
  epoch: number;
  /** Every `series` metric of the registry; null where undefined (no network, no labelled interactions). */
  metrics: Record<string, number | null>;
  /** The plan's `observe` selections, keyed by observedKey(metric, select). */
  observed: Record<string, number | null>;
  /** Agents at the end of the epoch, in registration order (none where the run was asked not to list them: RunOptions.epochAgents). */
  agents: AgentRecord[];
}

export interface RunResult {
  scenario: string;
  seed: number;
  profile: Profile;
  planHash: string;
  sbxVersion: string;
  epochs: EpochRecord[];
  /** Final state, registration order. */
  agents: AgentRecord[];
  epochsCompleted: number;
  network: null | { nodes: string[]; edges: [string, string, number][] };
}

/**
 * One completed interaction, accepted or rejected, with everything that
 * determined its payoffs. Levers beyond the reference's add their own
 * optional fields (declaration merging), set only where they act, so the
 * records of runs without them keep their shape.
 */
export interface InteractionRecord {
  /** The proposal's id (a run-wide counter from 1). */
  id: number;
  epoch: number;
  step: number;
  initiator: string;
  counterparty: string;
  type: InteractionType;
  accepted: boolean;
  observables: Observables;
  vHat: number;
  p: number;
  tau: number;
  cA: number;
  cB: number;
  rA: number;
  rB: number;
  payoffA: number;
  payoffB: number;
  /** +1 / −1 when the true outcome is known (never, so far). */
  groundTruth: 1 | -1 | null;
  /** Governance breakdown: tax on both parties, whether audited and the audit penalty, real-time collusion cost on both. */
  tax: number;
  audited: boolean;
  auditPenalty: number;
  collusionCost: number;
  /** The circuit breaker froze the initiator on this interaction. */
  froze: boolean;
}
