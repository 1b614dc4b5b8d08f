/**
 * Semi-permeable boundaries (the reference's swarm/boundaries): the agents
 * inside a boundary are the sandbox, everything else is outside.
 *
 * The result of every accepted interaction an inside agent initiates is an
 * outbound flow. The leakage detector scans its content (a synthetic payload
 * for scripted agents, the proposal's real text for LLM agents); the
 * boundary's policies (rate limit, content filter, sensitivity; all or any
 * of them) may block it; otherwise it crosses with probability
 * π·(0.5 + 0.5p), arriving with value p·(1 − decay). The same interaction
 * spills over with probability r_c·(1 − p)·π, carrying harm
 * (1 − p)·amplification — out if that spillover crosses (π·(0.5 + 0.5p)),
 * else blocked. An adaptive boundary's π is base·clip(1 − threat·sensitivity)
 * ·(0.5 + 0.5·trust): the threat is the inside's toxicity last epoch, the
 * trust the initiator's (its identity's, where identities are declared;
 * else the mean p of what it initiated). A sealed boundary (π = 0) lets
 * nothing cross. Boundaries measure what leaves; they change no payoff.
 */
import { BOUNDARIES_SLICE, BOUNDARY, type Boundary } from "./language.ts";
import { scan, type LeakClass } from "./leakage.ts";
import { syntheticPayload } from "./payload.ts";
import type { Action } from "../../kernel/actions.ts";
import type { At, EventOf, SimEvent } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series, type MetricSpec } from "../../kernel/metric.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import { inSelection, selectionNames } from "../../spec/selection.ts";
import type { ScenarioFacts } from "../../spec/types.ts";
import { closest } from "../../diagnostics/diagnostic.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /**
     * An outbound flow through boundary `boundary` (its index in the plan):
     * its effective permeability, the policies that denied it, whether it
     * crossed, its value out, and what the leakage detector found in it
     * (classes and match count; never the content).
     */
    boundary_flow: At & {
      boundary: number;
      agent: string;
      interaction: number;
      p: number;
      permeability: number;
      denied: string[];
      crossed: boolean;
      value: number;
      leaks: LeakClass[];
      matches: number;
    };
    /** A harmful interaction spilled over: its harm reached the outside (`crossed`) or the boundary blocked it. */
    boundary_spillover: At & { boundary: number; agent: string; interaction: number; p: number; permeability: number; harm: number; crossed: boolean };
  }
}

declare module "../../kernel/mechanism.ts" {
  interface Instance {
    /** An agent's trust in [0, 1], where a mechanism vouches for it (identity); adaptive boundaries loosen for trusted agents. */
    trust?(agent: AgentSlot): number;
  }
}

/** Per-agent tallies of one epoch (by the flow's initiator). */
class Tally {
  readonly flows: Int32Array;
  readonly crossings: Int32Array;
  readonly blocked: Int32Array;
  readonly leaks: Int32Array;
  readonly spillovers: Int32Array;
  readonly harm: Float64Array;
  readonly value: Float64Array;
  readonly permeability: Float64Array;

  constructor(n: number) {
    this.flows = new Int32Array(n);
    this.crossings = new Int32Array(n);
    this.blocked = new Int32Array(n);
    this.leaks = new Int32Array(n);
    this.spillovers = new Int32Array(n);
    this.harm = new Float64Array(n);
    this.value = new Float64Array(n);
    this.permeability = new Float64Array(n);
  }

  clear(): void {
    for (const a of [this.flows, this.crossings, this.blocked, this.leaks, this.spillovers, this.harm, this.value, this.permeability]) a.fill(0);
  }
}

/** The crossing rule: a flow of quality p crosses a boundary of permeability π with probability π·(0.5 + 0.5p). */
export const crossingProbability = (permeability: number, p: number): number => permeability * (0.5 + 0.5 * p);

/** Adaptive permeability: base·clip(1 − threat·sensitivity, 0, 1)·(0.5 + 0.5·trust), clipped to [0, 1]. */
export function adaptivePermeability(b: Boundary, threat: number, trust: number): number {
  if (!b.adaptive) return b.permeability;
  const threatFactor = Math.max(0, Math.min(1, 1 - threat * b.threatSensitivity));
  return Math.max(0, Math.min(1, b.permeability * threatFactor * (0.5 + 0.5 * trust)));
}

function createBoundaries(w: World) {
  const boundaries: readonly Boundary[] = w.slice(BOUNDARIES_SLICE) ?? [];
  const pop = w.population;
  const n = pop.size;
  const on = boundaries.length > 0;
  const tally = new Tally(n);
  /** Each agent's boundary (index), or −1 outside every boundary. */
  const boundaryOf = new Int32Array(n).fill(-1);
  w.plan.agents.forEach((a, i) => {
    const b = boundaries.findIndex((x) => x.inside === null || inSelection(a, x.inside));
    boundaryOf[i] = b;
  });
  // Reduced state: each boundary's threat (the inside's toxicity last epoch) and this epoch's sums for the next.
  const threat = new Float64Array(boundaries.length);
  const harmSum = new Float64Array(boundaries.length);
  const harmN = new Int32Array(boundaries.length);
  /** Flows each agent sent past its rate limit this epoch. */
  const rateUsed = new Int32Array(n);
  const filters = boundaries.map((b) => (b.contentFilter ? new RegExp(b.contentFilter.pattern, "i") : null));
  const rngs = boundaries.map((_, i) => w.random.stream(`boundary:${i}`));
  const isLlm = w.plan.agents.map((a) => a.kind === "llm");
  // Decision-only state (live): the text of LLM agents' proposals, by proposal id.
  const proposed = new Map<string, string>();
  const content = new Map<number, string>();

  const trustOf = (s: AgentSlot): number => {
    const vouchers = w.hooks("trust");
    return vouchers.length ? vouchers[0](s) : s.avgPInitiated;
  };

  /** The effective permeability of boundary `i` for an agent now. */
  const permeability = (i: number, s: AgentSlot): number => adaptivePermeability(boundaries[i], threat[i], boundaries[i].adaptive ? trustOf(s) : 0.5);

  /** The policies that deny a flow, in the order rate limit, content filter, sensitivity. */
  function denials(i: number, s: AgentSlot, text: string, sensitivity: number): string[] {
    const b = boundaries[i];
    const denied: string[] = [];
    if (b.rateLimit && rateUsed[s.idx] >= b.rateLimit.crossings) denied.push("rate_limit");
    if (filters[i]?.test(text)) denied.push("content_filter");
    if (b.sensitivity && sensitivity > b.sensitivity.max) denied.push("sensitivity");
    return denied;
  }

  const policyBlocks = (b: Boundary, denied: readonly string[]): boolean => {
    const configured = (b.rateLimit ? 1 : 0) + (b.contentFilter ? 1 : 0) + (b.sensitivity ? 1 : 0);
    return b.policies === "all" ? denied.length > 0 : configured > 0 && denied.length === configured;
  };

  return {
    on,
    tally,
    ...(on && !w.replaying
      ? {
          /** Remembers what LLM agents propose (their utterances are what the detector scans). */
          allow(actor: AgentSlot, action: Action): boolean {
            if (action.kind === "propose" && isLlm[actor.idx]) proposed.set(actor.id, action.content);
            return true;
          },
          afterInteraction(e: EventOf<"interaction_completed">): void {
            const x = e.interaction;
            const said = content.get(x.id);
            content.delete(x.id);
            if (!x.accepted) return;
            const s = pop.byId.get(x.initiator);
            const i = s ? boundaryOf[s.idx] : -1;
            if (!s || i < 0) return;
            const b = boundaries[i];
            const rng = rngs[i];
            const text = isLlm[s.idx] ? (said ?? "") : syntheticPayload(s.kind, rng, x.id);
            const found = b.leakage ? scan(text) : { classes: [], matches: 0, severity: 0 };
            const pi = permeability(i, s);
            const denied = denials(i, s, text, found.severity);
            const crossed = !policyBlocks(b, denied) && rng.random() < crossingProbability(pi, x.p);
            const at = w.at();
            w.emit({ type: "boundary_flow", epoch: at.epoch, step: at.step, boundary: i, agent: s.id, interaction: x.id, p: x.p, permeability: pi, denied, crossed, value: crossed ? x.p * (1 - b.informationDecay) : 0, leaks: [...found.classes], matches: found.matches });
            // Contagion: the harmful share of the interaction may spill over, and cross or be blocked.
            if (rng.random() < Math.max(0, Math.min(1, b.contagionRate * (1 - x.p) * pi))) {
              const out = rng.random() < crossingProbability(pi, x.p);
              w.emit({ type: "boundary_spillover", epoch: at.epoch, step: at.step, boundary: i, agent: s.id, interaction: x.id, p: x.p, permeability: pi, harm: (1 - x.p) * b.amplification, crossed: out });
            }
          },
        }
      : {}),
    ...(on
      ? {
          reduce: {
            epoch_started: () => {
              tally.clear();
              rateUsed.fill(0);
              for (let i = 0; i < boundaries.length; i++) {
                threat[i] = harmN[i] > 0 ? harmSum[i] / harmN[i] : 0;
                harmSum[i] = 0;
                harmN[i] = 0;
              }
            },
            interaction_proposed: (e: EventOf<"interaction_proposed">) => {
              const text = proposed.get(e.initiator);
              if (text === undefined) return;
              proposed.delete(e.initiator);
              content.set(e.id, text);
            },
            interaction_completed: (e: EventOf<"interaction_completed">) => {
              const x = e.interaction;
              const s = pop.byId.get(x.initiator);
              const i = s ? boundaryOf[s.idx] : -1;
              if (!x.accepted || i < 0) return;
              harmSum[i] += 1 - x.p;
              harmN[i]++;
            },
            boundary_flow: (e: EventOf<"boundary_flow">) => {
              const s = pop.byId.get(e.agent);
              if (!s) return;
              const k = s.idx;
              tally.flows[k]++;
              tally.permeability[k] += e.permeability;
              if (!e.denied.includes("rate_limit")) rateUsed[k]++;
              if (e.crossed) {
                tally.crossings[k]++;
                tally.value[k] += e.value;
                tally.leaks[k] += e.leaks.length;
              } else tally.blocked[k]++;
            },
            boundary_spillover: (e: EventOf<"boundary_spillover">) => {
              const s = pop.byId.get(e.agent);
              if (!s) return;
              if (e.crossed) {
                tally.spillovers[s.idx]++;
                tally.harm[s.idx] += e.harm;
              } else tally.blocked[s.idx]++;
            },
          },
          /** Replay: the flow's permeability and value follow from the boundary's state and the rules. */
          verify(e: SimEvent): string | null {
            if (e.type !== "boundary_flow" && e.type !== "boundary_spillover") return null;
            const s = pop.byId.get(e.agent);
            const b = boundaries[e.boundary];
            if (!s || !b || boundaryOf[s.idx] !== e.boundary) return `${e.type} of ${e.agent} through boundary ${e.boundary}, which does not enclose it`;
            const pi = permeability(e.boundary, s);
            if (pi !== e.permeability) return `${e.type} of ${e.agent} at epoch ${e.epoch}: the boundary's permeability replays as ${pi}, the log records ${e.permeability}`;
            if (e.type === "boundary_flow") {
              const value = e.crossed ? e.p * (1 - b.informationDecay) : 0;
              if (value !== e.value) return `boundary_flow of interaction ${e.interaction}: its value replays as ${value}, the log records ${e.value}`;
              if (e.crossed && policyBlocks(b, e.denied)) return `boundary_flow of interaction ${e.interaction} crossed although its policies denied it`;
            } else if (e.harm !== (1 - e.p) * b.amplification) return `boundary_spillover of interaction ${e.interaction}: its harm replays as ${(1 - e.p) * b.amplification}, the log records ${e.harm}`;
            if (e.crossed && !(pi > 0)) return `${e.type} of interaction ${e.interaction} crossed a sealed boundary`;
            return null;
          },
        }
      : {}),
  };
}

type Boundaries = ReturnType<typeof createBoundaries>;

function total(m: Boundaries, w: World, xs: ArrayLike<number>, select: ReadonlySet<string> | null): number | null {
  if (!m.on) return null;
  let sum = 0;
  for (const s of w.population.slots) if (!select || select.has(s.id)) sum += xs[s.idx];
  return sum;
}

const A = "agent" as const;
const B = "boundaries";

const METRICS: readonly MetricSpec<Boundaries>[] = [
  series(B, A, "flow", "boundary.flows", "count", "Outbound flows this epoch: accepted interactions initiated inside a boundary by the selected agents.", "|{acc : initiator inside}|", (m, sel, w) => total(m, w, m.tally.flows, sel), true),
  series(B, A, "flow", "boundary.crossings", "count", "Outbound flows that crossed their boundary this epoch.", "|{flows : allowed ∧ u < π·(0.5 + 0.5p)}|", (m, sel, w) => total(m, w, m.tally.crossings, sel), true),
  series(B, A, "flow", "boundary.blocked", "count", "Blocked crossings this epoch: flows the policies or the membrane stopped, and spillovers the membrane stopped.", "|{flows, spillovers : not crossed}|", (m, sel, w) => total(m, w, m.tally.blocked, sel), true),
  series(B, A, "flow", "boundary.leakage_events", "count", "Leakage detections (a class of sensitive data: PII, credential, code, keyword) in flows that crossed this epoch.", "Σ_crossed |classes found|", (m, sel, w) => total(m, w, m.tally.leaks, sel), true),
  series(B, A, "flow", "boundary.spillovers", "count", "Harmful spillovers that crossed their boundary this epoch.", "|{spillovers : crossed}|", (m, sel, w) => total(m, w, m.tally.spillovers, sel), true),
  series(B, A, "flow", "boundary.contagion_harm", "harm", "Harm that spilled over to the outside this epoch.", "Σ_crossed spillovers (1 − p)·amplification", (m, sel, w) => total(m, w, m.tally.harm, sel), true),
  series(B, A, "flow", "boundary.value_out", "probability", "Value that crossed out this epoch: each crossing flow's p after information decay.", "Σ_crossed p·(1 − decay)", (m, sel, w) => total(m, w, m.tally.value, sel), true),
  series(B, A, "flow", "boundary.permeability", "probability", "Mean effective permeability the selected agents' flows met this epoch (undefined without flows).", "mean_flows π_eff", (m, sel, w) => {
    const flows = total(m, w, m.tally.flows, sel);
    return flows ? total(m, w, m.tally.permeability, sel)! / flows : null;
  }, true),
];

function check(facts: ScenarioFacts): void {
  const label = (b: { name: string | null }) => (b.name ? `boundary '${b.name}'` : "the unnamed boundary");
  const claimed = new Map<string, string>();
  for (const b of facts.blocks("boundary")) {
    const inside = b.value("inside");
    if (typeof inside === "string" && !selectionNames(facts).includes(inside)) {
      const suggestion = closest(inside, selectionNames(facts));
      facts.report("SBX2260", { name: inside, context: `${b.name ?? "boundary"}.inside`, suggestion }, b, "inside", suggestion === null ? undefined : JSON.stringify(suggestion));
    } else if (b.on) {
      for (const g of facts.groups) {
        if (!(inside === null || g.name === inside || g.kind === inside)) continue;
        const other = claimed.get(g.name);
        if (other) facts.report("SBX3403", { group: g.name, first: other, second: label(b) }, b, inside === null ? undefined : "inside");
        else claimed.set(g.name, label(b));
      }
    }
    const filter = b.child("content_filter");
    const pattern = filter?.value("pattern");
    if (filter && typeof pattern === "string") {
      let re: RegExp | null = null;
      try {
        re = new RegExp(pattern, "i");
      } catch (err) {
        facts.report("SBX3401", { pattern, reason: (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "") }, filter, "pattern");
      }
      if (re?.test("")) facts.report("SBX3402", { pattern }, filter, "pattern");
    }
  }
}

export const boundaries = mechanism({
  name: "boundaries",
  doc: "Semi-permeable boundaries: outbound flows, contagion, boundary policies and a leakage detector.",
  plan: [BOUNDARIES_SLICE],
  language: [{ under: "scenario", block: BOUNDARY }],
  check,
  create: createBoundaries,
  metrics: METRICS,
});
