/**
 * Rebuilds a run from its event log: every interaction, every agent's state
 * and every epoch metric, recomputed from the logged state changes with the
 * same metric code the run used. The metrics recorded in each
 * `epoch_completed` event are checked against the recomputation.
 */
import type { Plan } from "../plan/schema.ts";
import { planHash } from "../plan/hash.ts";
import type { SimEvent } from "./events.ts";
import { EVENT_FORMAT } from "./events.ts";
import { computeEpochMetrics, emptyLedger, recordLlm, selectionResolver, type EpochLedger } from "./metrics.ts";
import { AgentNetwork } from "./network.ts";
import { semanticsFor } from "./semantics.ts";
import type { AgentRecord, EpochRecord, InteractionRecord, RunResult } from "./types.ts";

export class ReplayError extends Error {}

export interface Reconstruction {
  result: RunResult;
  interactions: InteractionRecord[];
}

export function replay(events: Iterable<SimEvent>): RunResult {
  return reconstruct(events).result;
}

export function reconstruct(events: Iterable<SimEvent>): Reconstruction {
  let plan: Plan | null = null;
  let header: Extract<SimEvent, { type: "run_started" }> | null = null;
  let agents: AgentRecord[] = [];
  let byId = new Map<string, AgentRecord>();
  let network: AgentNetwork | null = null;
  let ledger: EpochLedger = emptyLedger();
  let totalPosts = 0;
  let totalVotes = 0;
  let collusion = { flaggedPairs: 0, ecosystemRisk: 0 };
  let pool = 0;
  const exploiting = new Set<string>();
  let countRejected = false;
  const epochs: EpochRecord[] = [];
  const interactions: InteractionRecord[] = [];
  let completed = false;

  const need = (): Plan => {
    if (!plan) throw new ReplayError("event log does not start with run_started");
    return plan;
  };
  const agent = (id: string): AgentRecord | undefined => byId.get(id);

  for (const e of events) {
    switch (e.type) {
      case "run_started": {
        if (e.format !== EVENT_FORMAT) throw new ReplayError(`not an sbx event log (format ${String(e.format)})`);
        if (planHash(e.plan) !== e.planHash) throw new ReplayError("the header's plan does not match its planHash");
        header = e;
        plan = e.plan;
        agents = plan.agents.map((a) => ({
          id: a.id,
          kind: a.kind,
          group: a.group,
          reputation: 0.0,
          resources: 100.0,
          payoff: 0.0,
          frozen: false,
          interactionsInitiated: 0,
          interactionsReceived: 0,
          interactionsRejected: 0,
        }));
        countRejected = semanticsFor(plan.profile).rejectedBookkeeping;
        byId = new Map(agents.map((a) => [a.id, a]));
        network = plan.network ? new AgentNetwork(plan.agents.map((a) => a.id), plan.network) : null;
        break;
      }
      case "network_initialized":
        for (const [a, b, w] of e.edges) network?.setEdge(a, b, w);
        break;
      case "epoch_started":
        ledger = emptyLedger();
        break;
      case "reputation_changed": {
        const a = agent(e.agent);
        if (a) a.reputation += e.delta;
        break;
      }
      case "resources_changed": {
        const a = agent(e.agent);
        if (a) a.resources += e.delta;
        pool += e.pool ?? 0;
        break;
      }
      case "stake_slashed": {
        const a = agent(e.agent);
        if (a) a.resources -= e.amount;
        pool += e.amount;
        ledger.slashed += e.amount;
        break;
      }
      case "exploitation_started":
        exploiting.add(e.agent);
        break;
      case "agent_disconnected":
        for (const [a, b] of e.edges) network?.removeEdge(a, b);
        break;
      case "proposal_expired":
        ledger.expired++;
        break;
      case "task_created":
        ledger.tasksCreated++;
        break;
      case "task_verified":
        if (e.passed) {
          const a = agent(e.agent);
          if (a) a.resources += e.bounty;
          ledger.tasksCompleted++;
          ledger.bountyPaid += e.bounty;
        }
        break;
      case "agent_frozen": {
        const a = agent(e.agent);
        if (a) a.frozen = true;
        break;
      }
      case "agent_unfrozen": {
        const a = agent(e.agent);
        if (a) a.frozen = false;
        break;
      }
      case "turn_blocked":
        ledger.blocked++;
        break;
      case "post_created":
        totalPosts++;
        ledger.posts++;
        break;
      case "vote_cast":
        ledger.votes++;
        if (e.outcome === "new") totalVotes++;
        break;
      case "interaction_proposed":
      case "task_claimed":
      case "task_started":
      case "task_closed":
      case "output_submitted":
        break;
      case "interaction_completed": {
        const x = e.interaction;
        interactions.push(x);
        ledger.interactions.push(x);
        if (x.froze) ledger.freezes++;
        if (e.capped) ledger.capped++;
        if (e.credited) {
          const a = agent(x.initiator);
          if (a) {
            a.interactionsInitiated++;
            a.payoff += x.payoffA;
            a.reputation += e.reputationDeltaA;
            if (e.resourceDeltaA !== undefined) a.resources += e.resourceDeltaA;
          }
          const b = agent(x.counterparty);
          if (b) {
            b.interactionsReceived++;
            b.payoff += x.payoffB;
            if (e.reputationDeltaB !== 0) b.reputation += e.reputationDeltaB;
            if (e.resourceDeltaB !== undefined) b.resources += e.resourceDeltaB;
          }
          pool += e.pool ?? 0;
        } else if (countRejected) {
          const a = agent(x.initiator);
          if (a) {
            a.interactionsInitiated++;
            a.interactionsRejected = (a.interactionsRejected ?? 0) + 1;
          }
          const b = agent(x.counterparty);
          if (b) b.interactionsReceived++;
        }
        break;
      }
      case "edge_strengthened":
        network?.setEdge(e.a, e.b, e.weight);
        break;
      case "edges_decayed": {
        if (!network) throw new ReplayError("edges_decayed without a network");
        const pruned = network.decay();
        const key = (p: [string, string]) => [p[0], p[1]].sort().join("\u0000");
        const got = pruned.map(key).sort();
        const want = e.pruned.map(key).sort();
        if (got.join("|") !== want.join("|")) throw new ReplayError(`epoch ${e.epoch}: decay pruned different edges than the log records`);
        ledger.pruned = pruned.length;
        break;
      }
      case "collusion_analyzed":
        collusion = { flaggedPairs: e.flaggedPairs, ecosystemRisk: e.ecosystemRisk };
        ledger.collusionPenalty += e.penalty;
        break;
      case "epoch_completed": {
        const p = need();
        const { metrics, observed } = computeEpochMetrics(
          p,
          semanticsFor(p.profile),
          ledger,
          {
            agents: agents.map((a) => ({ id: a.id, reputation: a.reputation, resources: a.resources, payoff: a.payoff, frozen: a.frozen })),
            totalPosts,
            totalVotes,
            network: network ? network.metrics(p.simulation.seed, e.epoch) : null,
            collusion,
            pool,
            exploiting: exploiting.size,
          },
          selectionResolver(p),
        );
        checkSame(e.epoch, "metrics", metrics, e.metrics);
        checkSame(e.epoch, "observed", observed, e.observed);
        epochs.push({ epoch: e.epoch, metrics, observed, agents: agents.map((a) => ({ ...a })) });
        break;
      }
      case "llm_call":
      case "llm_fault":
      case "llm_fallback":
      case "llm_budget_exhausted":
        recordLlm(ledger, e);
        break;
      case "run_completed":
        completed = true;
        break;
    }
  }
  const p = need();
  if (!completed) throw new ReplayError("event log ends before run_completed");
  return {
    result: {
      scenario: p.scenario.name,
      seed: p.simulation.seed,
      profile: p.profile,
      planHash: (header as NonNullable<typeof header>).planHash,
      sbxVersion: (header as NonNullable<typeof header>).sbxVersion,
      epochs,
      agents: agents.map((a) => ({ ...a })),
      epochsCompleted: epochs.length,
      network: network ? { nodes: [...network.ids], edges: network.edgeList() } : null,
    },
    interactions,
  };
}

function checkSame(epoch: number, what: string, computed: Record<string, number | null>, logged: Record<string, number | null> | undefined): void {
  if (logged === undefined) return;
  for (const k of Object.keys(computed)) {
    if (k in logged && computed[k] !== logged[k]) {
      throw new ReplayError(`epoch ${epoch}: ${what} ${k} replays as ${computed[k]} but the log records ${logged[k]}`);
    }
  }
}
