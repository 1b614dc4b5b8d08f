/**
 * The town: residents with Big-Five personas living in rooms. Each tick (a
 * step) it refills the rooms' paid work and groups the agents who seek
 * company into encounters of two or three in the same room, up to
 * `max_events`; then every member takes one action — move, talk, work,
 * gift, help, scan, research, cite, submit a report, fill a field, propose
 * or submit a plan, steal, report a thief, or rest. Holdings are whole
 * credits and never go below 0. Talking moves opinions by bounded
 * confidence; talk, gifts and help tie agents in a social graph, thefts and
 * reports sanction them; a submitted plan enacts a rule that changes an
 * action's propensity or cost. Environments (research sprint, policy
 * checklist, navigation) grade the town's work. docs/town.md has every rule.
 *
 * Hooks decide (encounters, the planner's choices, an action's outcome);
 * reducers apply (src/mechanisms/town/state.ts), so `sbx replay` rebuilds
 * every metric from the log. Without a `town` block the mechanism is inert.
 */
import type { Action } from "../../kernel/actions.ts";
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism, type Instance } from "../../kernel/mechanism.ts";
import { series, type MetricSpec } from "../../kernel/metric.ts";
import type { TurnView } from "../../kernel/policy.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { Observables, RunResult } from "../../kernel/records.ts";
import type { World } from "../../kernel/world.ts";
import { sliceOf, type InteractionType } from "../../spec/plan.ts";
import { interactions } from "../interactions/index.ts";
import type { Persona } from "../personas/language.ts";
import { personas } from "../personas/index.ts";
import { COHORT_KEYS } from "../personas/sampling.ts";
import { RESIDENT, ResidentParams, TEMPERAMENT, TOWN, TOWN_ACTIONS, TOWN_SLICE, type TownActionKind } from "./language.ts";
import { TOWN_PROMPT_MARKER, TownMinds, probeScore } from "./llm.ts";
import { offlineTownAnswer } from "./offline.ts";
import type { Rng } from "../../kernel/rng/types.ts";
import * as M from "./metrics.ts";
import { Planner, type TownChoice } from "./planner.ts";
import { TownState } from "./state.ts";
import { CONFLICT, type TownActionRecord } from "./record.ts";
import { TOWN_KINDS } from "./check.ts";
import { ACTION_INDEX, meetProbability } from "./temperament.ts";

type TownAction<K extends TownActionKind, Extra = object> = { readonly kind: K } & Extra & Omit<TownChoice, "kind" | "target" | "room" | "topic" | "rule">;

declare module "../../kernel/actions.ts" {
  interface ActionMap {
    move: TownAction<"move", { readonly room: string }>;
    talk: TownAction<"talk", { readonly target: string; readonly topic?: string }>;
    work: TownAction<"work">;
    gift: TownAction<"gift", { readonly target: string }>;
    help: TownAction<"help", { readonly target: string }>;
    scan: TownAction<"scan">;
    research: TownAction<"research">;
    cite: TownAction<"cite">;
    submit_report: TownAction<"submit_report">;
    fill_field: TownAction<"fill_field">;
    propose_plan: TownAction<"propose_plan", { readonly rule?: string }>;
    submit_plan: TownAction<"submit_plan">;
    steal: TownAction<"steal", { readonly target: string }>;
    report: TownAction<"report", { readonly target: string }>;
    rest: TownAction<"rest">;
  }
}

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** The research corpus: which facts are true (empty outside the research sprint). */
    town_founded: At & { facts: boolean[] };
    /** A member's place, credits and opinions at the start. */
    resident_arrived: At & { agent: string; room: string; credits: number; opinions: number[] };
    /** This tick's encounters (every tick, empty or not: a new tick refills the rooms' purses). */
    encounters_formed: At & { groups: { room: string; members: string[] }[] };
    town_action: At & TownActionRecord;
    /** An LLM agent's answer to a self-report item (1–5). */
    persona_probed: At & { agent: string; item: number; answer: number };
  }
}

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** A town member's trait-driven choice (the planner's). */
    townChoice(): Action;
  }
}

declare module "../../kernel/records.ts" {
  interface RunResult {
    /** The town at the end, and its history (runs with a town). */
    town?: TownSummary;
  }
}

export interface TownSummary {
  readonly rooms: readonly string[];
  readonly topics: readonly string[];
  /** Members at the end: cohorts by label, room, credits, traits (label). */
  readonly agents: readonly { id: string; cohorts: string[]; room: string; credits: number; traits: Record<string, number> | null; adherence: number | null }[];
  /** Ties: [a, b, ties, sanctions]. */
  readonly edges: readonly [string, string, number, number][];
  readonly enacted: readonly string[];
  /** Per epoch: opinion histograms per topic (10 bins over [−1, 1]) and every town metric per trait cohort. */
  readonly history: readonly { epoch: number; opinions: number[][]; cohorts: Record<string, Record<string, number | null>> }[];
}

/** How a town action looks to the sandbox's governance when `govern` sends it there (docs/town.md). */
const GOVERNED: Partial<Record<TownActionKind, { type: InteractionType; observables: Observables }>> = {
  // Value taken from the victim, work to undo, refused, a misuse, hostile: p ≈ 0.17 under the default proxy.
  steal: { type: "trade", observables: { taskProgress: -1, rework: 2, rejections: 1, misuse: 1, engagement: -1 } },
  report: { type: "reply", observables: { taskProgress: 0.5, rework: 0, rejections: 0, misuse: 0, engagement: 0 } },
  talk: { type: "reply", observables: { taskProgress: 0.5, rework: 0, rejections: 0, misuse: 0, engagement: 1 } },
  gift: { type: "trade", observables: { taskProgress: 1, rework: 0, rejections: 0, misuse: 0, engagement: 1 } },
  help: { type: "collaboration", observables: { taskProgress: 1, rework: 0, rejections: 0, misuse: 0, engagement: 1 } },
};

const BINS = 10;

/** The town's part of a run: its state (null without a town) and its hooks. */
export interface TownInstance extends Instance {
  readonly state: TownState | null;
}

function createTown(w: World): TownInstance {
  const town = w.slice(TOWN_SLICE);
  if (!town) return { state: null, reduce: {} };
  const pop = w.population;
  const persona = w.get(personas);
  const st = new TownState(town, w.plan.agents, persona.label, persona.drive, w.plan.simulation.stepsPerEpoch);
  const planner = new Planner(st, (i) => pop.slots[i]!.frozen);
  const minds = new TownMinds(st, planner);
  const rng = w.random.stream("town");
  const history: { epoch: number; opinions: number[][]; cohorts: Record<string, Record<string, number | null>> }[] = [];
  let cohortIds: Map<string, Set<string>> | null = null;

  const at = (): { epoch: number; step: number } => ({ epoch: w.epoch, step: w.step });

  function execute(actor: AgentSlot, a: TownChoice): boolean {
    const i = actor.idx;
    if (!st.member[i] || st.room[i]! < 0) return false;
    const kind = a.kind;
    const rec: TownActionRecord = { agent: actor.id, action: kind, ok: false, options: a.options ?? planner.options(i) };
    if (a.stressed ?? st.stressed(i)) rec.stressed = true;
    if (a.source) rec.source = a.source;
    if (a.utterance) rec.utterance = a.utterance;
    const here = st.room[i]!;
    const room = st.rooms[here]!;
    const peers = planner.peers(i);
    const j = a.target === undefined ? -1 : (st.idx.get(a.target) ?? -1);
    if (a.target !== undefined) rec.target = a.target;
    const isPeer = j >= 0 && peers.includes(j);
    const env = town!.environment;
    let delta = 0;
    let ok = false;
    switch (kind) {
      case "move": {
        const to = a.room === undefined ? undefined : st.roomIndex.get(a.room);
        if (a.room !== undefined) rec.room = a.room;
        ok = to !== undefined && planner.destinations(i).includes(to);
        break;
      }
      case "talk":
        ok = isPeer;
        if (a.topic !== undefined && st.topics.includes(a.topic)) rec.topic = a.topic;
        break;
      case "work": {
        const amount = Math.min(town!.workPay, st.purse[here]!);
        ok = room.work && amount > 0;
        if (ok) rec.amount = delta = amount;
        break;
      }
      case "gift": {
        const amount = Math.min(town!.giftAmount, st.credits[i]!);
        ok = isPeer && amount >= 1;
        if (ok) {
          rec.amount = amount;
          delta = -amount;
        }
        break;
      }
      case "help":
        ok = isPeer;
        if (ok) rec.amount = town!.workPay;
        break;
      case "scan":
        ok = env === "nav" && st.tokens[here]! > 0 && !st.scanned[i];
        break;
      case "research": {
        ok = env === "research" && room.research && st.knownCount[i]! < st.facts.length;
        if (ok) {
          const F = st.facts.length;
          const unknown: number[] = [];
          for (let f = 0; f < F; f++) if (!st.known[i * F + f]) unknown.push(f);
          rec.fact = unknown[rng.below(unknown.length)]!;
        }
        break;
      }
      case "cite": {
        const f = env === "research" ? planner.uncited(i) : -1;
        ok = f >= 0;
        if (ok) rec.fact = f;
        break;
      }
      case "submit_report":
        ok = env === "research" && st.knownCount[i]! >= town!.difficulty;
        break;
      case "fill_field":
        ok = env === "policy" && room.policy && st.fields[i]! < town!.difficulty;
        break;
      case "propose_plan":
        ok = env === "policy" && room.policy && st.draft[i] === null;
        if (ok && a.rule !== undefined && st.rules.some((r) => r.name === a.rule) && !st.enacted.has(a.rule)) rec.rule = a.rule;
        break;
      case "submit_plan":
        ok = env === "policy" && room.policy && st.fields[i]! >= town!.difficulty && st.draft[i] !== null;
        if (ok && st.draft[i]) rec.rule = st.draft[i]!;
        break;
      case "steal": {
        const amount = j >= 0 ? Math.min(town!.stealAmount, st.credits[j]!) : 0;
        ok = isPeer && amount >= 1;
        if (ok) rec.amount = delta = amount;
        break;
      }
      case "report":
        ok = j >= 0 && st.thefts[i * st.n + j]! > 0;
        if (ok) rec.amount = delta = Math.min(town!.fine, st.credits[j]!);
        break;
      case "rest":
        ok = true;
        break;
    }
    rec.ok = ok;
    const cost = st.costs[ACTION_INDEX[kind]]!;
    if (ok && cost > 0) {
      const paid = Math.min(cost, st.credits[i]! + delta);
      if (paid > 0) rec.paid = paid;
    }
    if (a.probe) w.emit({ type: "persona_probed", ...at(), agent: actor.id, item: a.probe.item, answer: a.probe.answer });
    w.emit({ type: "town_action", ...at(), ...rec });
    const governed = GOVERNED[kind];
    if (ok && governed && j >= 0 && (town!.govern === "all" || (town!.govern === "conflicts" && CONFLICT.has(kind)))) {
      w.get(interactions).record(actor.id, st.ids[j]!, governed.type, { ...governed.observables });
    }
    return ok;
  }

  /** Every town metric for each trait cohort (labels), for the epoch that just ended. */
  function cohortSnapshot(): Record<string, Record<string, number | null>> {
    if (!cohortIds) {
      cohortIds = new Map(COHORT_KEYS.map((k) => [k, new Set<string>()]));
      for (const i of st.members()) for (const c of persona.cohortsOf(i)) cohortIds.get(c)!.add(st.ids[i]!);
    }
    const out: Record<string, Record<string, number | null>> = {};
    for (const [cohort, ids] of cohortIds) {
      if (!ids.size) continue;
      out[cohort] = Object.fromEntries(TOWN_METRICS.filter((m) => m.select !== "none").map((m) => [m.name, m.compute(self, ids, w) ?? null]));
    }
    return out;
  }

  const handle = (actor: AgentSlot, a: Action): boolean => execute(actor, a as unknown as TownChoice);
  const actions = Object.fromEntries(TOWN_ACTIONS.map((k) => [k, handle])) as unknown as Record<TownActionKind, (actor: AgentSlot, a: Action) => boolean>;

  const self: TownInstance = {
    state: st,
    actions,

    turn: {
      townChoice(this: TurnView): Action {
        const i = this.self.idx;
        const drive = persona.drive(i);
        if (!st.member[i] || !drive) return { kind: "noop" };
        return planner.choose(i, drive, this.rng) as unknown as Action;
      },
      llmFrame(this: TurnView, p: Persona) {
        const i = this.self.idx;
        if (!st.member[i] || st.room[i]! < 0) return null;
        return minds.frame(i, p, st.tick(this), { epoch: this.epoch, step: this.step }, this.rng);
      },
    },

    start(): void {
      const F = town.environment === "research" ? Math.max(6, 4 * town.difficulty) : 0;
      const order = Array.from({ length: F }, (_, f) => f);
      rng.shuffle(order);
      const falseCount = Math.round(town.distractors * F);
      const facts = Array.from({ length: F }, () => true);
      for (let k = 0; k < falseCount; k++) facts[order[k]!] = false;
      w.emit({ type: "town_founded", ...at(), facts });
      for (const i of st.members()) {
        const free = st.rooms.map((_r, k) => k).filter((k) => st.occupancy[k]! < st.rooms[k]!.capacity);
        const room = free[rng.below(free.length)]!;
        const opinions = town.topics.map((t) => {
          const d = t.initial;
          const x = d.dist === "constant" ? d.value : d.dist === "uniform" ? rng.uniform(d.low, d.high) : rng.randint(d.low, d.high);
          return Math.max(-1, Math.min(1, x));
        });
        w.emit({ type: "resident_arrived", ...at(), agent: st.ids[i]!, room: st.rooms[room]!.name, credits: town.startCredits, opinions });
      }
    },

    stepStart(): void {
      const seekers: number[] = [];
      for (const i of st.members()) {
        const drive = persona.drive(i);
        // One draw per member, frozen or not, so the stream does not depend on who is frozen.
        const u = rng.random();
        if (!pop.slots[i]!.frozen && drive && u < meetProbability(town.temperament, drive, st.stressed(i))) seekers.push(i);
      }
      const rooms = st.rooms.map((_r, k) => k);
      rng.shuffle(rooms);
      const groups: { room: string; members: string[] }[] = [];
      for (const r of rooms) {
        const here = seekers.filter((i) => st.room[i] === r);
        rng.shuffle(here);
        while (here.length >= 2 && groups.length < town.maxEvents) {
          const size = here.length >= 4 ? (rng.random() < 0.5 ? 2 : 3) : here.length;
          groups.push({ room: st.rooms[r]!.name, members: here.splice(0, size).map((i) => st.ids[i]!) });
        }
      }
      w.emit({ type: "encounters_formed", ...at(), groups });
    },

    reduce: {
      town_founded: (e: EventOf<"town_founded">) => st.founded(e.facts),
      resident_arrived: (e: EventOf<"resident_arrived">) => st.arrive(st.idx.get(e.agent)!, st.roomIndex.get(e.room)!, e.credits, e.opinions),
      encounters_formed: (e: EventOf<"encounters_formed">) =>
        st.encountersFormed(
          e.groups.map((g) => ({ room: st.roomIndex.get(g.room)!, members: g.members.map((id) => st.idx.get(id)!) })),
          e,
        ),
      town_action: (e: EventOf<"town_action">) => st.act(e, e),
      persona_probed: (e: EventOf<"persona_probed">) => {
        const i = st.idx.get(e.agent);
        const label = i === undefined ? null : persona.label(i);
        if (i !== undefined && label) st.probed(i, probeScore(e.item, e.answer, label), e);
      },
      epoch_started: () => st.epochStarted(),
      epoch_completed: (e: EventOf<"epoch_completed">) => {
        const members = [...st.members()];
        const opinions = st.topics.map((_t, k) => {
          const bins = new Array<number>(BINS).fill(0);
          for (const i of members) bins[Math.min(BINS - 1, Math.floor(((st.opinion(i, k) + 1) / 2) * BINS))]!++;
          return bins;
        });
        history.push({ epoch: e.epoch, opinions, cohorts: cohortSnapshot() });
      },
    },

    finish(result: RunResult): void {
      result.town = {
        rooms: st.rooms.map((r) => r.name),
        topics: [...st.topics],
        agents: [...st.members()].map((i) => ({
          id: st.ids[i]!,
          cohorts: persona.cohortsOf(i),
          room: st.room[i]! >= 0 ? st.rooms[st.room[i]!]!.name : "",
          credits: st.credits[i]!,
          traits: persona.label(i) ? { ...persona.label(i)! } : null,
          adherence: M.agentAdherence(st, i),
        })),
        edges: st.graph.mapEdges((_e, attrs, a, b) => [a, b, attrs.ties, attrs.sanctions] as [string, string, number, number]),
        enacted: [...st.enacted],
        history: history.map((h) => ({ ...h })),
      };
    },
  };
  return self;
}

type Town = TownInstance;

const metric = (name: string, select: "agent" | "none", flow: "flow" | "stock", unit: string, doc: string, formula: string, f: (s: TownState, sel: ReadonlySet<string> | null) => number | null): MetricSpec<Town> =>
  series<Town>("town", select, flow, name, unit, doc, formula, (m, sel) => (m.state ? f(m.state, sel) : null), true);

export const TOWN_METRICS: readonly MetricSpec<Town>[] = [
  metric("town.cooperation_rate", "agent", "flow", "ratio", "Successful cooperative actions (talk, gift, help) among the town actions attempted this epoch.", "|{talk, gift, help : ok}| / |attempted|", M.cooperationRate),
  metric("town.gini_wealth", "agent", "stock", "ratio", "Gini coefficient of the members' credits at the end of the epoch (0 equal, toward 1 one holds all).", "Σᵢ Σⱼ |xᵢ − xⱼ| / (2·n·Σ x)", M.giniWealth),
  metric("town.polarization", "agent", "stock", "variance", "Opinion polarization: the mean over topics of the variance of opinions in [−1, 1] (0 consensus, 1/3 uniform, 1 split between the poles).", "mean_topic Var(opinion)", M.polarization),
  metric("town.homophily", "none", "stock", "correlation", "Homophily of the social graph: the mean of its trait and opinion assortativity (Newman's r over ties, weighted by tie strength).", "mean(r_traits, r_opinions)", (s) => M.homophily(s)),
  metric("town.conflicts", "agent", "flow", "count", "Conflicts this epoch: successful thefts and reports.", "|{steal, report : ok}|", M.conflicts),
  metric("town.productivity", "agent", "flow", "grade", "The environment's grade this epoch per member: graded reports (research), submitted plans (policy), completed token sets (navigation), each at most 1.", "Σ grades / |members|", M.productivity),
  metric("town.action_entropy", "agent", "flow", "bits", "Shannon entropy of the kinds of action attempted this epoch.", "−Σₖ pₖ·log₂ pₖ", M.actionEntropy),
  metric("town.persona_adherence", "agent", "stock", "ratio", "How true agents stay to their personas (mean over agents, cumulative): trait-driven agents 1 − TV(observed action mix, mix their label traits predict); LLM agents their self-report probes' mean score.", "mean(1 − ½Σₖ|obsₖ − predₖ|) | mean probe score", M.personaAdherence),
  metric("town.encounters", "agent", "flow", "count", "Encounters per member this epoch.", "Σ encounters / |members|", M.encounters),
  metric("town.wealth", "agent", "stock", "credits", "Mean credits per member at the end of the epoch.", "Σ credits / |members|", M.wealth),
  metric("town.homophily_traits", "none", "stock", "correlation", "Trait assortativity of the social graph: Newman's r of the label traits across ties, averaged over the traits.", "mean_trait r", (s) => M.traitHomophily(s)),
  metric("town.homophily_opinions", "none", "stock", "correlation", "Opinion assortativity of the social graph, averaged over topics.", "mean_topic r", (s) => M.opinionHomophily(s)),
  metric("town.rules", "none", "stock", "count", "Rules enacted so far.", "|enacted|", (s) => s.enacted.size),
];

export const townMechanism = mechanism({
  name: "town",
  doc: "A town of rooms where residents with Big-Five personas move, meet, talk, work, help, steal, hold opinions and enact rules.",
  plan: [TOWN_SLICE],
  language: [
    { under: "scenario", block: TOWN },
    { under: "declarations", block: TEMPERAMENT },
  ],
  create: createTown,
  offlineAnswer: (system: string, user: string, rng: Rng) => (user.startsWith(TOWN_PROMPT_MARKER) ? offlineTownAnswer(system, user, rng) : null),
  problems: (plan) => {
    const town = sliceOf(plan, TOWN_SLICE);
    if (!town) return plan.agents.some((a) => a.kind === "resident") ? ["resident agents need a town"] : [];
    const rooms = new Set(town.rooms.map((r) => r.name));
    const out = town.paths.flatMap(([a, b]) => [a, b].filter((r) => !rooms.has(r)).map((r) => `town path [${a}, ${b}] names an unknown room '${r}'`));
    const members = plan.agents.filter((a) => TOWN_KINDS.includes(a.kind)).length;
    const capacity = town.rooms.reduce((sum, r) => sum + r.capacity, 0);
    if (capacity < members) out.push(`the town's rooms hold ${capacity} agents but ${members} live there`);
    if (new Set(town.rooms.map((r) => r.name)).size < town.rooms.length) out.push("two town rooms share a name");
    return out;
  },
  agents: {
    resident: {
      params: ResidentParams,
      block: RESIDENT,
      policy: () => ({
        act: (view) => view.townChoice(),
        accept: () => false,
        onOutcome: () => undefined,
      }),
    },
  },
  metrics: TOWN_METRICS,
  sweepMetrics: [
    { metric: "town.cooperation_rate", aggregate: "mean" },
    { metric: "town.gini_wealth", aggregate: "mean" },
    { metric: "town.polarization", aggregate: "mean" },
    { metric: "town.homophily", aggregate: "mean" },
    { metric: "town.conflicts", aggregate: "mean" },
    { metric: "town.productivity", aggregate: "mean" },
    { metric: "town.action_entropy", aggregate: "mean" },
    { metric: "town.persona_adherence", aggregate: "final" },
    { metric: "town.encounters", aggregate: "mean" },
  ],
});

