/**
 * The mechanisms, in the order the scheduler calls their hooks. The order is
 * the reference's where it has one — its governance levers run tax, decay,
 * staking, circuit breaker, audit, collusion — and it is what keeps profile
 * swarm-0.1 bit-exact: moving a mechanism moves draws and events.
 * A new mechanism is a folder plus one line here.
 */
import type { MechanismDef } from "../kernel/mechanism.ts";
import { adaptiveAgents } from "./adaptive-agents/index.ts";
import { agents } from "./agents/index.ts";
import { auction } from "./auction/index.ts";
import { audit } from "./audit/index.ts";
import { bandwidth } from "./bandwidth/index.ts";
import { boundaries } from "./boundaries/index.ts";
import { circuitBreaker } from "./circuit-breaker/index.ts";
import { collusion } from "./collusion/index.ts";
import { contractsMechanism } from "./contracts/index.ts";
import { economy } from "./economy/index.ts";
import { feed } from "./feed/index.ts";
import { incoherence } from "./incoherence/index.ts";
import { identity } from "./identity/index.ts";
import { interactions } from "./interactions/index.ts";
import { learningAgents } from "./learning-agents/index.ts";
import { llmAgents } from "./llm-agents/index.ts";
import { missions } from "./missions/index.ts";
import { negotiation } from "./negotiation/index.ts";
import { network } from "./network/index.ts";
import { personas } from "./personas/index.ts";
import { perturbations } from "./perturbations/index.ts";
import { pool } from "./pool/index.ts";
import { proposalExpiry } from "./proposal-expiry/index.ts";
import { rateLimits } from "./rate-limits/index.ts";
import { reputationDecay } from "./reputation-decay/index.ts";
import { scriptedAgents } from "./scripted-agents/index.ts";
import { staking } from "./staking/index.ts";
import { tasks } from "./tasks/index.ts";
import { townMechanism } from "./town/index.ts";
import { transactionTax } from "./transaction-tax/index.ts";
import { transparency } from "./transparency/index.ts";
import { voteNormalization } from "./vote-normalization/index.ts";

/** The list with each mechanism's precise type (the plan's type is composed from it). */
export const MECHANISM_LIST = [
  rateLimits,
  interactions,
  feed,
  agents,
  network,
  transactionTax,
  reputationDecay,
  voteNormalization,
  bandwidth,
  staking,
  circuitBreaker,
  audit,
  collusion,
  pool,
  tasks,
  proposalExpiry,
  scriptedAgents,
  llmAgents,
  economy,
  contractsMechanism,
  transparency,
  identity,
  boundaries,
  personas,
  townMechanism,
  learningAgents,
  adaptiveAgents,
  perturbations,
  // The whitepaper's economies (docs/mechanisms.md): inert unless their blocks are written.
  auction,
  missions,
  negotiation,
  // Last: it replays a decision point only once every other mechanism has admitted the agent's turn.
  incoherence,
] as const;

export const MECHANISMS: readonly MechanismDef[] = MECHANISM_LIST as unknown as readonly MechanismDef[];
