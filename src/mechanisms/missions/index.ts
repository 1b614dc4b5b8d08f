/**
 * Mission economies (docs/mechanisms.md, "Mission economies"). At every
 * epoch's start, after governance: missions whose deadline has come are
 * judged against their objectives — a mission that never gathered
 * `min_participants` expires; one whose objectives are all met succeeds and
 * shares its reward among its contributors by its rule; otherwise it fails —
 * and each participant's effort moves by `adapt_rate`: up when one more
 * contribution would have earned it more than a contribution costs, down
 * otherwise. Then every template without an open mission gets one, proposed
 * by an eligible agent outside every open mission (while fewer than
 * `max_active` are open), and each such agent joins an open mission it may
 * join with `join_probability`. At every step's end each participant of an
 * active mission that is not frozen contributes a unit of work with
 * probability equal to its effort; the work is judged by the proxy as a task
 * output is (observables drawn for the agent as for an interaction it
 * initiates) and costs `cost` resources. Rewards are paid into resources.
 *
 * Every state change is a reducer over a logged event; replay recomputes a
 * settlement (measures, score, rewards, the Shapley error, the new efforts)
 * from the contributions it rebuilt.
 */
import type { At, EventOf, SimEvent } from "../../kernel/events.ts";
import { closest } from "../../diagnostics/diagnostic.ts";
import { checkGroups, inGroups } from "../auction/groups.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import type { ScenarioFacts } from "../../spec/types.ts";
import { gini } from "../auction/dworkin.ts";
import { interactions } from "../interactions/index.ts";
import { PAYOFF_SLICE } from "../interactions/language.ts";
import { MISSIONS, MISSIONS_SLICE, OBJECTIVE_METRICS, type MissionTemplate, type Missions } from "./language.ts";
import { evaluate, marginal, payout, shapleyError, tallyOf, type Tally, type WelfareScale } from "./rules.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** An agent proposed a mission of a template; it is judged at the start of epoch `deadline`. */
    mission_proposed: At & { mission: number; template: string; agent: string; deadline: number };
    mission_joined: At & { mission: number; agent: string };
    /** A participant contributed a unit of work of quality p, at a cost in resources. */
    mission_contributed: At & { mission: number; agent: string; p: number; cost: number };
    /**
     * A mission judged at its deadline: each objective's measure, the score,
     * the rewards paid, the approximate Shapley shares' distance from the exact
     * ones (null: too many contributors, or nothing to share), the free-rider
     * index (Gini of the participants' contribution counts) and every
     * participant's new effort.
     */
    mission_settled: At & {
      mission: number;
      status: "succeeded" | "failed" | "expired";
      score: number;
      measures: number[];
      rewards: [string, number][];
      shapleyError: number | null;
      freeRiderIndex: number;
      efforts: [string, number][];
    };
  }
}

type Status = "proposed" | "active";

interface OpenMission {
  readonly id: number;
  readonly template: number;
  readonly deadline: number;
  status: Status;
  /** In the order they joined, the proposer first. */
  readonly participants: string[];
  readonly contributions: Map<string, number[]>;
}

/** One settled mission, as this epoch's metrics read it. */
interface Settled {
  readonly status: EventOf<"mission_settled">["status"];
  readonly participants: readonly string[];
  readonly counts: readonly number[];
  readonly score: number;
  readonly shapleyError: number | null;
}

const NO_MISSIONS: Missions = { enabled: false, maxActive: 1, minParticipants: 1, joinProbability: 0, effort: 0, adaptRate: 0, cost: 0, exactShapleyUpTo: 0, missions: [] };

/** The settlement of a mission from its contributions: what `mission_settled` records. */
function settlement(m: OpenMission, t: MissionTemplate, spec: Missions, efforts: (id: string) => number, scale: WelfareScale): Omit<EventOf<"mission_settled">, "type" | "epoch" | "step" | "mission"> {
  const tallies: Tally[] = m.participants.map((id) => tallyOf(m.contributions.get(id) ?? [], scale));
  const counts = tallies.map((x) => x.count);
  if (m.status === "proposed") {
    return { status: "expired", score: 0, measures: t.objectives.map(() => 0), rewards: [], shapleyError: null, freeRiderIndex: gini(counts), efforts: [] };
  }
  const all = tallyOf([...m.contributions.values()].flat(), scale);
  const judged = evaluate(t.objectives, all);
  const paid = payout(t.objectives, t.distribution, tallies, t.reward);
  const contributors = counts.filter((c) => c > 0).length;
  const error = contributors > 0 && contributors <= spec.exactShapleyUpTo ? shapleyError(t.objectives, tallies) : null;
  const newEfforts = m.participants.map((id, i): [string, number] => {
    const gain = marginal(t.objectives, t.distribution, tallies, t.reward, i, scale);
    const step = gain > spec.cost ? spec.adaptRate : -spec.adaptRate;
    return [id, Math.min(1, Math.max(0, efforts(id) + step))];
  });
  return {
    status: judged.met ? "succeeded" : "failed",
    score: judged.score,
    measures: judged.measures,
    rewards: m.participants.flatMap((id, i): [string, number][] => (paid[i] > 0 ? [[id, paid[i]]] : [])),
    shapleyError: error,
    freeRiderIndex: gini(counts),
    efforts: newEfforts,
  };
}

function createMissions(w: World) {
  const spec = w.slice(MISSIONS_SLICE) ?? NO_MISSIONS;
  const pop = w.population;
  const payoff = w.slice(PAYOFF_SLICE);
  const scale: WelfareScale = { sPlus: payoff.sPlus, sMinus: payoff.sMinus };
  const templates = spec.missions;
  const byName = new Map(templates.map((t, i) => [t.name, i]));

  const open = new Map<number, OpenMission>();
  /** The open mission each agent takes part in (0: none), by registration index. */
  const openOf = new Array<number>(pop.size).fill(0);
  const effort = new Array<number>(pop.size).fill(spec.effort);
  let seq = 0;
  const tally = {
    proposed: 0,
    contributions: new Map<string, number>(),
    rewards: new Map<string, number>(),
    settled: [] as Settled[],
  };

  const slot = (id: string) => pop.byId.get(id) as AgentSlot;

  const reduce = {
    epoch_started: () => {
      tally.proposed = 0;
      tally.contributions.clear();
      tally.rewards.clear();
      tally.settled = [];
    },
    mission_proposed: (e: EventOf<"mission_proposed">) => {
      seq = Math.max(seq, e.mission);
      const m: OpenMission = { id: e.mission, template: byName.get(e.template) as number, deadline: e.deadline, status: "proposed", participants: [e.agent], contributions: new Map() };
      if (m.participants.length >= spec.minParticipants) m.status = "active";
      open.set(m.id, m);
      openOf[slot(e.agent).idx] = m.id;
      tally.proposed++;
    },
    mission_joined: (e: EventOf<"mission_joined">) => {
      const m = open.get(e.mission) as OpenMission;
      m.participants.push(e.agent);
      if (m.participants.length >= spec.minParticipants) m.status = "active";
      openOf[slot(e.agent).idx] = m.id;
    },
    mission_contributed: (e: EventOf<"mission_contributed">) => {
      const m = open.get(e.mission) as OpenMission;
      let ps = m.contributions.get(e.agent);
      if (!ps) m.contributions.set(e.agent, (ps = []));
      ps.push(e.p);
      pop.addResources(slot(e.agent), -e.cost);
      tally.contributions.set(e.agent, (tally.contributions.get(e.agent) ?? 0) + 1);
    },
    mission_settled: (e: EventOf<"mission_settled">) => {
      const m = open.get(e.mission) as OpenMission;
      open.delete(e.mission);
      for (const id of m.participants) openOf[slot(id).idx] = 0;
      for (const [id, amount] of e.rewards) {
        pop.addResources(slot(id), amount);
        tally.rewards.set(id, (tally.rewards.get(id) ?? 0) + amount);
      }
      for (const [id, x] of e.efforts) effort[slot(id).idx] = x;
      const counts = m.participants.map((id) => m.contributions.get(id)?.length ?? 0);
      tally.settled.push({ status: e.status, participants: m.participants, counts, score: e.score, shapleyError: e.shapleyError });
    },
  };
  const state = { open, effort, tally, spec };
  if (!spec.enabled) return { state, reduce };

  const rng = w.random.stream("missions");
  const may = (s: AgentSlot, t: MissionTemplate) => inGroups(t.members, w.plan.agents[s.idx]);
  const settle = (m: OpenMission) => settlement(m, templates[m.template], spec, (id) => effort[slot(id).idx], scale);

  function epochStart(): void {
    const at = w.at();
    for (const m of [...open.values()]) {
      if (m.deadline <= w.epoch) w.emit({ type: "mission_settled", ...at, mission: m.id, ...settle(m) });
    }
    templates.forEach((t, i) => {
      if (open.size >= spec.maxActive || [...open.values()].some((m) => m.template === i)) return;
      const candidates = pop.slots.filter((s) => !s.frozen && openOf[s.idx] === 0 && may(s, t));
      if (candidates.length === 0) return;
      const proposer = candidates[rng.below(candidates.length)];
      w.emit({ type: "mission_proposed", ...at, mission: seq + 1, template: t.name, agent: proposer.id, deadline: w.epoch + t.deadline });
    });
    for (const s of pop.slots) {
      if (s.frozen || openOf[s.idx] !== 0) continue;
      const joinable = [...open.values()].filter((m) => may(s, templates[m.template]));
      if (joinable.length === 0 || !(rng.random() < spec.joinProbability)) continue;
      const m = joinable[rng.below(joinable.length)];
      w.emit({ type: "mission_joined", ...at, mission: m.id, agent: s.id });
    }
  }

  function stepEnd(): void {
    const judge = w.get(interactions);
    for (const m of open.values()) {
      if (m.status !== "active") continue;
      for (const id of m.participants) {
        const s = slot(id);
        if (s.frozen || !(rng.random() < effort[s.idx])) continue;
        const [, p] = judge.proxy.labels(judge.observe(s, true, rng));
        w.emit({ type: "mission_contributed", ...w.at(), mission: m.id, agent: id, p, cost: spec.cost });
      }
    }
  }

  return {
    state,
    reduce,
    epochStart,
    stepEnd,
    verify(e: SimEvent): string | null {
      if (e.type !== "mission_settled") return null;
      const m = open.get(e.mission);
      if (!m) return `mission_settled: mission ${e.mission} is not open`;
      const again = settle(m);
      for (const key of ["status", "score", "measures", "rewards", "shapleyError", "freeRiderIndex", "efforts"] as const) {
        if (JSON.stringify(again[key]) !== JSON.stringify(e[key])) return `mission_settled: ${key} of mission ${e.mission} differs from the settlement recomputed from its contributions`;
      }
      return null;
    },
  };
}

type MissionsInstance = ReturnType<typeof createMissions>;
type Select = ReadonlySet<string> | null;

/** Missions settled this epoch with a participant in the selection (all: no selection). */
function settledFor(m: MissionsInstance, select: Select): Settled[] {
  return select === null ? m.state.tally.settled : m.state.tally.settled.filter((s) => s.participants.some((id) => select.has(id)));
}

const sumFor = (counts: ReadonlyMap<string, number>, select: Select): number => {
  let total = 0;
  for (const [id, x] of counts) if (select === null || select.has(id)) total += x;
  return total;
};

const on = (m: MissionsInstance) => m.state.spec.enabled;
const count = (status: Settled["status"]) => (m: MissionsInstance, s: Select) => (on(m) ? settledFor(m, s).filter((x) => x.status === status).length : null);

/** Scenario checks: objectives name a measure; members name a group or kind; a mission can gather its participants. */
function check(facts: ScenarioFacts): void {
  for (const b of facts.blocks("missions")) {
    if (!b.on) continue;
    const missions = b.children("mission");
    if (missions.length === 0) facts.report("SBX3452", {}, b);
    const needed = b.value("min_participants") as number;
    for (const m of missions) {
      const objectives = m.children("objective");
      if (objectives.length === 0) facts.report("SBX3453", { mission: m.name ?? "" }, m);
      for (const o of objectives) {
        if ((OBJECTIVE_METRICS as readonly string[]).includes(o.name ?? "")) continue;
        const suggestion = closest(o.name ?? "", OBJECTIVE_METRICS);
        facts.report("SBX2280", { name: o.name ?? "", mission: m.name ?? "", suggestion }, o);
      }
      const eligible = checkGroups(facts, m, "members", `mission '${m.name}'`);
      if (eligible !== null && eligible < needed) facts.report("SBX3454", { mission: m.name ?? "", eligible, needed }, m);
    }
  }
}

export const missions = mechanism({
  name: "missions",
  doc: "Mission economies: agents propose and join missions with objectives, contribute work with an effort that adapts, and share the reward equally, proportionally or by approximate Shapley value.",
  plan: [MISSIONS_SLICE],
  language: [{ under: "scenario", block: MISSIONS }],
  check,
  create: createMissions,
  metrics: [
    series<MissionsInstance>("missions", "none", "flow", "missions.proposed", "count", "Missions proposed this epoch.", "|proposed|", (m) => (on(m) ? m.state.tally.proposed : null), true),
    series<MissionsInstance>("missions", "agent", "stock", "missions.active", "count", "Missions active (with enough participants) at the epoch's end; a selection counts those with a selected participant.", "|{m : active}|", (m, s) => (on(m) ? [...m.state.open.values()].filter((x) => x.status === "active" && (s === null || x.participants.some((id) => s.has(id)))).length : null), true),
    series<MissionsInstance>("missions", "agent", "flow", "missions.succeeded", "count", "Missions judged this epoch with every objective met (and their reward shared); a selection counts those with a selected participant.", "|{m : all objectives met}|", count("succeeded"), true),
    series<MissionsInstance>("missions", "agent", "flow", "missions.failed", "count", "Missions judged this epoch with an objective unmet; a selection counts those with a selected participant.", "|{m : an objective unmet}|", count("failed"), true),
    series<MissionsInstance>("missions", "agent", "flow", "missions.expired", "count", "Missions that reached their deadline without ever gathering min_participants; a selection counts those with a selected participant.", "|{m : never active}|", count("expired"), true),
    series<MissionsInstance>("missions", "agent", "flow", "missions.score", "score", "Mean score of the missions judged this epoch (Σ w·completion / Σ w; 1 when every objective is met).", "mean Σ_k w_k·min(1, measure_k/target_k) / Σ w", (m, s) => {
      const judged = on(m) ? settledFor(m, s).filter((x) => x.status !== "expired") : [];
      return judged.length ? judged.reduce((a, x) => a + x.score, 0) / judged.length : null;
    }, true),
    series<MissionsInstance>("missions", "agent", "flow", "missions.contributions", "count", "Units of work contributed to missions this epoch (by the selected agents).", "|contributions|", (m, s) => (on(m) ? sumFor(m.state.tally.contributions, s) : null), true),
    series<MissionsInstance>("missions", "agent", "flow", "missions.rewards", "resources", "Mission rewards paid this epoch (to the selected agents).", "Σ rewards", (m, s) => (on(m) ? sumFor(m.state.tally.rewards, s) : null), true),
    series<MissionsInstance>("missions", "agent", "stock", "missions.effort", "probability", "Mean effort of the agents (selected), at the epoch's end: the chance a participant contributes in a step.", "mean_i e_i", (m, s, w) => {
      if (!on(m)) return null;
      const slots = w.population.slots.filter((x) => s === null || s.has(x.id));
      return slots.length ? slots.reduce((a, x) => a + m.state.effort[x.idx], 0) / slots.length : null;
    }, true),
    series<MissionsInstance>("missions", "agent", "flow", "missions.free_rider_index", "index", "The free-rider index: the Gini coefficient of the participants' contribution counts (non-contributors included), averaged over the missions judged this epoch; a selection counts its own participants of missions with at least two of them.", "mean_m Gini(c_m)", (m, s) => {
      if (!on(m)) return null;
      const values = m.state.tally.settled.filter((x) => x.status !== "expired").flatMap((x) => {
        const counts = x.participants.flatMap((id, i) => (s === null || s.has(id) ? [x.counts[i]] : []));
        return counts.length >= 2 ? [gini(counts)] : [];
      });
      return values.length ? values.reduce((a, x) => a + x, 0) / values.length : null;
    }, true),
    series<MissionsInstance>("missions", "agent", "flow", "missions.shapley_error", "share", "How far the approximate Shapley shares (leave-one-out) are from the exact Shapley shares of the mission's score, for missions judged this epoch with at most exact_shapley_up_to contributors: half the summed absolute differences of the shares, averaged.", "mean ½·Σ_i |a_i − φ_i/v(N)|", (m, s) => {
      const errors = on(m) ? settledFor(m, s).flatMap((x) => (x.shapleyError === null ? [] : [x.shapleyError])) : [];
      return errors.length ? errors.reduce((a, x) => a + x, 0) / errors.length : null;
    }, true),
  ],
});
