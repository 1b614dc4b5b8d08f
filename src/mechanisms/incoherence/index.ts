/**
 * Replay-based incoherence (the whitepaper's "hot mess" decomposition) and
 * self-ensembling, the variance-reducing intervention it measures.
 *
 * Every turn an agent takes is a decision point. Before the agent decides,
 * the decision is replayed K times, drawing one after another from a stream
 * derived from the run's seed, the agent and the step (a stream is costly
 * to seed; one per point keeps replays cheap), against the same state: the policy's
 * decision state is saved and restored around every replay, and no replay
 * draws from the agent's own stream, so measuring changes nothing in the run.
 * D is the replays' disagreement, E their error against the benchmark
 * policy's modal decision at the same point (a default agent of the
 * benchmark kind, shadowing the agent: it learns the same outcomes), and
 * I = D/(E + ε). A replay replays the agent's whole decision procedure: an
 * agent that self-ensembles is replayed ensembling.
 *
 * Each decision point is logged with its replays' actions, so a replay of
 * the log recomputes D, E and I and every metric over them.
 */
import { INCOHERENCE, INCOHERENCE_SLICE, SELF_ENSEMBLE, SELF_ENSEMBLE_SLICE, type Incoherence, type SelfEnsemble } from "./language.ts";
import { restore, snapshot } from "./decision-state.ts";
import { decompose, modal } from "./measure.ts";
import { NOOP, type Action } from "../../kernel/actions.ts";
import type { Effect } from "../../kernel/effect.ts";
import type { At, EventOf, SimEvent } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series, type MetricSpec } from "../../kernel/metric.ts";
import type { Outcome, Policy, PolicyContext, TurnView } from "../../kernel/policy.ts";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";
import type { InteractionRecord } from "../../kernel/records.ts";
import { SbxStream, streamKey } from "../../kernel/rng/streams.ts";
import type { Rng } from "../../kernel/rng/types.ts";
import type { World } from "../../kernel/world.ts";
import { inSelection, selectionNames } from "../../spec/selection.ts";
import type { ScenarioFacts } from "../../spec/types.ts";
import { closest } from "../../diagnostics/diagnostic.ts";
import { fallbackAgent } from "../llm-agents/fallback.ts";
import { scriptedAgents } from "../scripted-agents/index.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /**
     * A decision point replayed K times: each replay's action kind (null: it
     * abstained), the benchmark's modal action kind, and D, E, I.
     */
    decision_replayed: At & { agent: string; actions: (string | null)[]; benchmark: string | null; d: number; e: number; i: number };
  }
}

/** Kinds whose harmful incidents count as adversarial in the dual failure-mode classification (the reference's default). */
const ADVERSARIAL_KINDS = new Set(["deceptive", "adversarial"]);

/** A policy that decides by majority over `samples` samples of another. */
export class EnsemblePolicy implements Policy {
  constructor(
    readonly inner: Policy,
    readonly samples: number,
  ) {}

  act(view: TurnView): Action {
    return ensembleDecision(this.inner, view, this.samples);
  }

  accept(proposal: Proposal, view: TurnView): boolean {
    return this.inner.accept(proposal, view);
  }

  onOutcome(o: Outcome): void {
    this.inner.onOutcome(o);
  }
}

/** One decision of `policy`, or null when it fails (an abstention). */
function tryAct(policy: Policy, view: TurnView): Action | null {
  try {
    return policy.act(view);
  } catch {
    return null;
  }
}

/**
 * The self-ensemble's decision: `samples` decisions from the same state,
 * drawn one after another from the view's stream; the first sample of the
 * modal action kind is taken, and the policy keeps the state that sample
 * left (as if it had decided once).
 */
export function ensembleDecision(policy: Policy, view: TurnView, samples: number): Action {
  const base = snapshot(policy);
  const drawn: { action: Action | null; state: ReturnType<typeof snapshot> }[] = [];
  for (let s = 0; s < samples; s++) {
    restore(policy, base);
    const action = tryAct(policy, view);
    drawn.push({ action, state: snapshot(policy) });
  }
  const mode = modal(drawn.map((d) => d.action?.kind ?? null));
  const chosen = mode ? drawn.find((d) => d.action?.kind === mode.token) : undefined;
  restore(policy, chosen ? chosen.state : base);
  return chosen?.action ?? NOOP;
}

function createIncoherence(w: World) {
  const cfg: Incoherence | undefined = w.slice(INCOHERENCE_SLICE);
  const ensemble: SelfEnsemble | undefined = w.slice(SELF_ENSEMBLE_SLICE);
  const pop = w.population;
  const n = pop.size;
  const on = cfg !== undefined;
  // Reduced state: this epoch's decision points and incidents, per agent.
  const sumD = new Float64Array(n);
  const sumE = new Float64Array(n);
  const sumI = new Float64Array(n);
  const points = new Int32Array(n);
  const acceptedP = new Float64Array(n);
  const acceptedN = new Int32Array(n);
  const coherentAdversarial = new Int32Array(n);
  const incoherentBenign = new Int32Array(n);
  /** The I of each agent's latest decision point (NaN: none yet), and the I behind each open proposal. */
  const lastI = new Float64Array(n).fill(Number.NaN);
  const proposalI = new Map<number, number>();
  const adversarial = w.plan.agents.map((a) => ADVERSARIAL_KINDS.has(a.kind));
  // LLM agents do not ensemble (each sample would be a model call).
  const ensembled = w.plan.agents.map((a) => ensemble !== undefined && ensemble.samples > 1 && a.kind !== "llm" && (ensemble.group === null || inSelection(a, ensemble.group)));

  // Decision-only state (live runs): each agent's shadow benchmark.
  let benchmarks: Policy[] = [];
  const derived = (concern: string): Rng => new SbxStream(streamKey(w.plan.simulation.seed, `incoherence/${concern}`));

  /** K replays of a policy's decision procedure at this point, drawing one after another from `rng`, the policy's state restored after each. */
  function replay(policy: Policy, agent: AgentSlot, samples: number, rng: Rng, k: number): (string | null)[] {
    const base = snapshot(policy);
    const tokens: (string | null)[] = [];
    for (let r = 0; r < k; r++) {
      const view = w.view(agent, rng);
      const action = samples > 1 ? ensembleDecision(policy, view, samples) : tryAct(policy, view);
      tokens.push(action ? action.kind : null);
      restore(policy, base);
    }
    return tokens;
  }

  const record = (s: AgentSlot, d: number, e: number, i: number): void => {
    sumD[s.idx] += d;
    sumE[s.idx] += e;
    sumI[s.idx] += i;
    points[s.idx]++;
    lastI[s.idx] = i;
  };

  return {
    on,
    sumD,
    sumE,
    sumI,
    points,
    acceptedP,
    acceptedN,
    coherentAdversarial,
    incoherentBenign,

    // Hooks only where the blocks are written: a run without them is untouched (and pays nothing).
    ...(ensemble
      ? {
          wrapPolicy(agent: AgentSlot, policy: Policy): Policy {
            if (!ensembled[agent.idx] || policy.actAsync) return policy;
            return new EnsemblePolicy(policy, ensemble.samples);
          },
          governInteraction(x: InteractionRecord, effect: Effect): void {
            if (!x.accepted) return;
            const half = (ensemble.surcharge * (ensemble.samples - 1)) / 2;
            if (!(half > 0)) return;
            const a = pop.byId.get(x.initiator);
            const b = pop.byId.get(x.counterparty);
            if (a && ensembled[a.idx]) effect.costA += half;
            if (b && ensembled[b.idx]) effect.costB += half;
          },
        }
      : {}),
    ...(cfg && !w.replaying
      ? {
          start(): void {
            const ctx: PolicyContext = { semantics: w.semantics, population: pop, report: () => {} };
            const kind = scriptedAgents.agents[cfg.benchmark];
            benchmarks = pop.slots.map((s) => kind.policy(fallbackAgent(cfg.benchmark, s.id, s.group), ctx));
          },
          /** The decision point: replayed before the agent decides (the state its decision sees). */
          admit(agent: AgentSlot): boolean {
            const policy = w.policies[agent.idx];
            if (!policy || policy.actAsync) return true; // LLM agents are not replayed: each replay would be a model call
            const inner = policy instanceof EnsemblePolicy ? policy.inner : policy;
            const samples = policy instanceof EnsemblePolicy ? policy.samples : 1;
            // One stream per decision point, derived from the seed, the agent and the step: the replays draw from it, then the benchmark's.
            const rng = derived(`${agent.id}/${w.stepSerial}`);
            const actions = replay(inner, agent, samples, rng, cfg.replays);
            const benchmark = modal(replay(benchmarks[agent.idx], agent, 1, rng, cfg.replays))?.token ?? null;
            const { d, e, i } = decompose(actions, benchmark, cfg.epsilon);
            w.emit({ type: "decision_replayed", ...w.at(), agent: agent.id, actions, benchmark, d, e, i });
            return true;
          },
          /** The shadow benchmarks learn what their agents learn. */
          afterInteraction(e: EventOf<"interaction_completed">): void {
            const x = e.interaction;
            const a = pop.byId.get(x.initiator);
            const b = pop.byId.get(x.counterparty);
            const outcome: Outcome = { initiator: x.initiator, counterparty: x.counterparty, accepted: x.accepted, p: x.p, initiatorIdx: a ? a.idx : -1, counterpartyIdx: b ? b.idx : -1 };
            if (a) benchmarks[a.idx]?.onOutcome(outcome);
            if (b) benchmarks[b.idx]?.onOutcome(outcome);
          },
        }
      : {}),
    ...(cfg
      ? {
          reduce: {
            epoch_started: () => {
              for (const a of [sumD, sumE, sumI, acceptedP]) a.fill(0);
              for (const a of [points, acceptedN, coherentAdversarial, incoherentBenign]) a.fill(0);
            },
            decision_replayed: (e: EventOf<"decision_replayed">) => {
              const s = pop.byId.get(e.agent);
              if (s) record(s, e.d, e.e, e.i);
            },
            interaction_proposed: (e: EventOf<"interaction_proposed">) => {
              const s = pop.byId.get(e.initiator);
              if (s && !Number.isNaN(lastI[s.idx])) proposalI.set(e.id, lastI[s.idx]);
            },
            interaction_completed: (e: EventOf<"interaction_completed">) => {
              const x = e.interaction;
              const i = proposalI.get(x.id);
              proposalI.delete(x.id);
              const s = pop.byId.get(x.initiator);
              if (!s || !x.accepted) return;
              acceptedP[s.idx] += x.p;
              acceptedN[s.idx]++;
              // The dual failure modes: harmful incidents by coherent adversaries, and by incoherent benign agents.
              if (i === undefined || !(x.p < cfg.harmThreshold)) return;
              if (adversarial[s.idx] && i < cfg.threshold) coherentAdversarial[s.idx]++;
              if (!adversarial[s.idx] && i >= cfg.threshold) incoherentBenign[s.idx]++;
            },
          },
          verify(e: SimEvent): string | null {
            if (e.type !== "decision_replayed") return null;
            const { d, e: err, i } = decompose(e.actions, e.benchmark, cfg.epsilon);
            return d === e.d && err === e.e && i === e.i ? null : `decision of ${e.agent} at epoch ${e.epoch} step ${e.step}: its replays give D=${d}, E=${err}, I=${i}, the log records D=${e.d}, E=${e.e}, I=${e.i}`;
          },
        }
      : {}),
  };
}

type IncoherenceState = ReturnType<typeof createIncoherence>;

/** Σ over the selected agents of an array indexed by agent. */
function total(m: IncoherenceState, w: World, xs: ArrayLike<number>, select: ReadonlySet<string> | null): number {
  let sum = 0;
  for (const s of w.population.slots) if (!select || select.has(s.id)) sum += xs[s.idx];
  return sum;
}

/** The mean of a per-decision quantity over the selected agents' decision points this epoch (null: none). */
const perPoint =
  (pick: (m: IncoherenceState) => Float64Array) =>
  (m: IncoherenceState, select: ReadonlySet<string> | null, w: World): number | null => {
    if (!m.on) return null;
    const k = total(m, w, m.points, select);
    return k === 0 ? null : total(m, w, pick(m), select) / k;
  };

const A = "agent" as const;

const METRICS: readonly MetricSpec<IncoherenceState>[] = [
  series("incoherence", A, "flow", "incoherence.index", "ratio", "Mean incoherence index over the selected agents' decision points this epoch (the `incoherence` block).", "mean_points min(1, D/(E + ε))", perPoint((m) => m.sumI), true),
  series("incoherence", A, "flow", "incoherence.disagreement", "ratio", "Mean disagreement of the replays of the selected agents' decision points this epoch.", "mean_points 1 − modal/n", perPoint((m) => m.sumD), true),
  series("incoherence", A, "flow", "incoherence.error", "ratio", "Mean error of the replays against the benchmark policy's modal decision this epoch.", "mean_points |{r : a_r ≠ benchmark}|/n", perPoint((m) => m.sumE), true),
  series("incoherence", A, "flow", "incoherence.decisions", "count", "Decision points of the selected agents replayed this epoch.", "|points|", (m, sel, w) => (m.on ? total(m, w, m.points, sel) : null), true),
  series("incoherence", A, "flow", "incoherence.illusion_gap", "ratio", "Perceived coherence (mean p of the accepted interactions the selected agents initiated; 0 without any) minus distributed coherence (1 − mean D; 1 without decision points).", "E[p | accepted] − (1 − mean D)", (m, sel, w) => {
    if (!m.on) return null;
    const accepted = total(m, w, m.acceptedN, sel);
    const k = total(m, w, m.points, sel);
    const perceived = accepted === 0 ? 0 : total(m, w, m.acceptedP, sel) / accepted;
    const distributed = k === 0 ? 1 : 1 - total(m, w, m.sumD, sel) / k;
    return perceived - distributed;
  }, true),
  series("incoherence", A, "flow", "incoherence.coherent_adversarial", "count", "Harmful incidents (accepted, p below the harm threshold) initiated by deceptive or adversarial agents deciding coherently (I below the threshold) this epoch.", "|{harmful : adversarial kind, I < t}|", (m, sel, w) => (m.on ? total(m, w, m.coherentAdversarial, sel) : null), true),
  series("incoherence", A, "flow", "incoherence.incoherent_benign", "count", "Harmful incidents initiated by agents of other kinds deciding incoherently (I at or above the threshold) this epoch.", "|{harmful : other kind, I ≥ t}|", (m, sel, w) => (m.on ? total(m, w, m.incoherentBenign, sel) : null), true),
];

function check(facts: ScenarioFacts): void {
  for (const b of facts.blocks("self_ensemble")) {
    const group = b.value("group");
    if (typeof group === "string" && !selectionNames(facts).includes(group)) {
      const suggestion = closest(group, selectionNames(facts));
      facts.report("SBX2260", { name: group, context: "self_ensemble.group", suggestion }, b, "group", suggestion === null ? undefined : JSON.stringify(suggestion));
    }
    const samples = b.value("samples");
    if (b.on && typeof samples === "number" && samples > 1 && samples % 2 === 0) {
      facts.report("SBX3404", { samples }, b, "samples");
    }
  }
  const llm = facts.groups.filter((g) => g.kind === "llm").reduce((k, g) => k + g.agents, 0);
  for (const b of facts.blocks("incoherence")) if (b.on && llm > 0) facts.report("SBX3400", { count: llm }, b);
}

export const incoherence = mechanism({
  name: "incoherence",
  doc: "Replays every decision point K times to measure disagreement, error and incoherence; self-ensembling as the intervention.",
  plan: [INCOHERENCE_SLICE, SELF_ENSEMBLE_SLICE],
  language: [
    { under: "scenario", block: INCOHERENCE },
    { under: "governance", block: SELF_ENSEMBLE },
  ],
  check,
  create: createIncoherence,
  metrics: METRICS,
});
