/**
 * Contracts' vocabulary and state machine (docs/economy.md):
 *
 *   proposed → countersigned → active → settled | defaulted | disputed
 *   disputed → settled | defaulted
 *
 * A proposal nobody signs stays open (its collateral escrowed) to the end.
 * The counterparty signs first (countersigned), the arbitrator last
 * (active). Every status change is one `contract_changed` event that lists
 * the token flows it causes — balance and escrow changes per agent and what
 * it destroys — so collateral can be audited and nothing is created or lost
 * unaccounted.
 */
import type { At } from "../../kernel/events.ts";

export const CONTRACT_TYPES = ["service", "information_sale", "forward", "loan"] as const;
export type ContractType = (typeof CONTRACT_TYPES)[number];
export const SETTLEMENTS = ["attested", "automatic"] as const;
export type Settlement = (typeof SETTLEMENTS)[number];

export const STATUSES = ["proposed", "countersigned", "active", "disputed", "settled", "defaulted"] as const;
export type Status = (typeof STATUSES)[number];

/** Every transition the state machine allows. */
export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  proposed: ["countersigned"],
  countersigned: ["active"],
  active: ["settled", "defaulted", "disputed"],
  disputed: ["settled", "defaulted"],
  settled: [],
  defaulted: [],
};

export const TERMINAL: ReadonlySet<Status> = new Set(["settled", "defaulted"]);

export interface Collateral {
  readonly proposer: number;
  readonly counterparty: number;
  readonly arbitrator: number;
}

export interface Terms {
  readonly counterparty: string;
  readonly arbitrator: string;
  readonly type: ContractType;
  readonly price: number;
  /** The turn the delivery is due. */
  readonly delivery: number;
  readonly collateral: Collateral;
  readonly settlement: Settlement;
  /** Paid by a defaulting party to the other. */
  readonly penalty: number;
  /** Paid to the arbitrator when the contract settles (by the proposer) or is ruled (by the party ruled against). */
  readonly arbitratorFee: number;
}

/** One agent's share of a transition's flows. */
export interface Flow {
  readonly agent: string;
  /** Change of its balance. */
  readonly balance: number;
  /** Change of what this contract holds in escrow for it. */
  readonly escrow: number;
}

export type ChangeReason =
  | "countersigned"
  | "signed"
  | "confirmed"
  | "automatic"
  | "ruling"
  | "timeout"
  | "dispute_timeout"
  | "unpaid"
  | "undelivered"
  | "disputed";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** A proposal: its terms, and the proposer's collateral (plus the signing bonus, and a loan's principal) into escrow. */
    contract_proposed: At & { turn: number; id: number; market: string | null; proposer: string; terms: Terms; bonus: number; flows: Flow[] };
    /** A status change and the token flows it causes; `destroyed`: slashed collateral. `learned`: an information buyer who learned. */
    contract_changed: At & { turn: number; id: number; from: Status; to: Status; reason: ChangeReason; by: string | null; flows: Flow[]; destroyed: number; defaulters: string[]; learned: string | null };
    /** A party confirmed delivery (attested settlement needs both). */
    contract_confirmed: At & { turn: number; id: number; by: string };
    /** The seller of an information sale delivered the information. */
    contract_delivered: At & { turn: number; id: number; by: string };
  }
}

export interface Contract {
  readonly id: number;
  readonly market: string | null;
  readonly proposer: string;
  readonly terms: Terms;
  readonly bonus: number;
  readonly proposedTurn: number;
  status: Status;
  readonly confirmed: Set<string>;
  delivered: boolean;
  disputedAt: number | null;
  /** Tokens this contract holds per agent. */
  readonly escrow: Map<string, number>;
}

/** A contract as agents see it. */
export interface ContractView {
  readonly id: number;
  readonly proposer: string;
  readonly counterparty: string;
  readonly arbitrator: string;
  readonly type: ContractType;
  readonly settlement: Settlement;
  readonly status: Status;
  readonly price: number;
  readonly delivery: number;
  readonly collateral: Collateral;
  readonly confirmedBy: readonly string[];
  readonly delivered: boolean;
}

/** The contracts of the agent's market as its policy reads them (the paper driver's three lists, in id order). */
export interface ContractsSight {
  /** Proposed or countersigned: waiting for signatures. */
  readonly pendingSign: readonly ContractView[];
  readonly disputed: readonly ContractView[];
  /** Active and at or past their delivery turn. */
  readonly due: readonly ContractView[];
  readonly turn: number;
}

export function viewOf(c: Contract): ContractView {
  const t = c.terms;
  return {
    id: c.id,
    proposer: c.proposer,
    counterparty: t.counterparty,
    arbitrator: t.arbitrator,
    type: t.type,
    settlement: t.settlement,
    status: c.status,
    price: t.price,
    delivery: t.delivery,
    collateral: t.collateral,
    confirmedBy: [...c.confirmed],
    delivered: c.delivered,
  };
}
