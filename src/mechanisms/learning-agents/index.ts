/**
 * Learning agents (`learner`): agents that choose, each epoch, which of
 * their strategies to play, and learn from the payoff it earned — by Hedge,
 * EXP3, softmax Q-learning, or imitation of better-paid neighbours
 * (src/mechanisms/learning-agents/rules.ts has the rules; docs/agents.md
 * explains them).
 *
 * Every change of a learner's state is an event: the strategy it draws at
 * an epoch's start (`strategy_chosen`), what each strategy earned in the
 * epoch (`strategy_payoffs`), its update at the epoch's end
 * (`learner_updated`, with the whole new state) and any imitation
 * (`strategy_imitated`). Reducers apply them, so a replay rebuilds every
 * learner and its regret; `verify` recomputes each update from the state
 * before it.
 */
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series, type MetricSpec } from "../../kernel/metric.ts";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import { network } from "../network/index.ts";
import { LEARNER, LearnerParams, STRATEGIES } from "./language.ts";
import { LearnerPolicy, playedStrategies } from "./policy.ts";
import { imitationChance, initialState, probabilities, reward, sample, update, type LearnerState } from "./rules.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** A learner drew the strategy it plays this epoch from its mixed strategy (`probabilities`, over its own strategies). */
    strategy_chosen: At & { agent: string; strategy: string; probabilities: number[] };
    /** Each strategy's mean payoff this epoch over the agents that played it (null: nobody did), in STRATEGIES order. */
    strategy_payoffs: At & { payoffs: (number | null)[] };
    /** A learner's update at the epoch's end: what it played, earned and was rewarded, and its new state. */
    learner_updated: At & { agent: string; strategy: string; payoff: number; reward: number; state: LearnerState };
    /** A learner copied the state of a better-paid neighbour (`model`). */
    strategy_imitated: At & { agent: string; model: string; state: LearnerState };
  }
}

interface Learner {
  readonly slot: AgentSlot;
  readonly params: LearnerParams;
  /** Its strategies, as indices into STRATEGIES. */
  readonly strategies: readonly number[];
  state: LearnerState;
  /** Position in `strategies` of the strategy it plays this epoch (−1 before the first choice). */
  position: number;
  /** Σ over epochs of every strategy's estimated payoff (STRATEGIES order): the best fixed strategy in hindsight. */
  readonly hindsight: number[];
  /** Σ over epochs of its own payoff. */
  realized: number;
  /** Fined by an audit, frozen or slashed this epoch (Q-learning's situation). */
  penalised: boolean;
}

function createLearning(w: World) {
  const pop = w.population;
  const learners: Learner[] = [];
  const byIdx = new Map<number, Learner>();
  w.plan.agents.forEach((a, idx) => {
    if (a.kind !== "learner") return;
    const params = LearnerParams.parse(a.params);
    const strategies = playedStrategies(params).map((s) => STRATEGIES.indexOf(s));
    const l: Learner = { slot: pop.slots[idx]!, params, strategies, state: initialState(params, strategies.length), position: -1, hindsight: STRATEGIES.map(() => 0), realized: 0, penalised: false };
    learners.push(l);
    byIdx.set(idx, l);
  });
  const tally = { imitations: 0 };
  if (!learners.length) return { learners, tally };

  // Reduced state besides the learners: payoffs at the epoch's start, the last known payoff of each strategy.
  const startPayoff = new Float64Array(pop.size);
  const estimates: number[] = STRATEGIES.map(() => 0);
  const rng = w.random.stream("learning");
  const scriptedKind = pop.slots.map((s) => STRATEGIES.indexOf(s.kind as never));

  const learnerOf = (id: string): Learner | undefined => {
    const s = pop.byId.get(id);
    return s ? byIdx.get(s.idx) : undefined;
  };
  const playing = (l: Learner): number => l.strategies[l.position]!;
  const epochPayoff = (l: Learner): number => l.slot.totalPayoff - startPayoff[l.slot.idx]!;

  /** Each strategy's mean payoff this epoch over the agents playing it: learners by their choice, scripted agents by kind. */
  function strategyPayoffs(): (number | null)[] {
    const sum = STRATEGIES.map(() => 0);
    const n = STRATEGIES.map(() => 0);
    for (const s of pop.slots) {
      const l = byIdx.get(s.idx);
      const k = l ? (l.position >= 0 ? playing(l) : -1) : scriptedKind[s.idx]!;
      if (k < 0) continue;
      sum[k] += s.totalPayoff - startPayoff[s.idx]!;
      n[k] += 1;
    }
    return sum.map((v, k) => (n[k] ? v / n[k]! : null));
  }

  /** The update a learner makes at this epoch's end, from the reduced state. */
  function updated(l: Learner): { payoff: number; reward: number; state: LearnerState } {
    const payoff = epochPayoff(l);
    const r = reward(payoff, l.params.payoffScale);
    const rewards = l.strategies.map((k) => reward(estimates[k]!, l.params.payoffScale));
    return { payoff, reward: r, state: update(l.params, l.state, { played: l.position, reward: r, rewards, situation: l.penalised ? 1 : 0 }) };
  }

  /** The learners a learner may imitate: the others of its group, its network neighbours when there is a network. */
  function neighbours(l: Learner): Learner[] {
    const graph = w.get(network).graph;
    return learners.filter((o) => o !== l && o.slot.group === l.slot.group && (!graph || graph.hasEdge(l.slot.id, o.slot.id)));
  }

  const penalise = (id: string): void => {
    const l = learnerOf(id);
    if (l) l.penalised = true;
  };

  return {
    learners,
    tally,

    epochStart(): void {
      if (w.replaying) return;
      for (const l of learners) {
        const ps = probabilities(l.params, l.state, l.strategies.length);
        const position = sample(ps, rng.random());
        w.emit({ type: "strategy_chosen", ...w.at(), agent: l.slot.id, strategy: STRATEGIES[l.strategies[position]!]!, probabilities: ps });
        (w.policies[l.slot.idx] as LearnerPolicy | undefined)?.play(position);
      }
    },

    conduct(initiator: AgentSlot, _p: Proposal): string | undefined {
      const l = byIdx.get(initiator.idx);
      return l && l.position >= 0 ? STRATEGIES[playing(l)] : undefined;
    },

    epochEnd(): void {
      if (w.replaying) return;
      w.emit({ type: "strategy_payoffs", ...w.at(), payoffs: strategyPayoffs() });
      for (const l of learners) w.emit({ type: "learner_updated", ...w.at(), agent: l.slot.id, strategy: STRATEGIES[playing(l)]!, ...updated(l) });
      for (const l of learners) {
        if (!(l.params.imitation > 0)) continue;
        const others = neighbours(l);
        if (!others.length) continue;
        const model = others[rng.below(others.length)]!;
        const chance = imitationChance(l.params.imitation, epochPayoff(l), epochPayoff(model), l.params.payoffScale);
        if (rng.random() < chance) w.emit({ type: "strategy_imitated", ...w.at(), agent: l.slot.id, model: model.slot.id, state: model.state });
      }
    },

    reduce: {
      epoch_started: () => {
        for (const s of pop.slots) startPayoff[s.idx] = s.totalPayoff;
        for (const l of learners) l.penalised = false;
        tally.imitations = 0;
      },
      strategy_chosen: (e: EventOf<"strategy_chosen">) => {
        const l = learnerOf(e.agent);
        if (!l) return;
        l.position = l.strategies.indexOf(STRATEGIES.indexOf(e.strategy as never));
        // A replicator's first draw is its pure strategy from then on.
        if (l.state.rule === "replicator" && l.state.strategy < 0) l.state = { rule: "replicator", strategy: l.position };
      },
      strategy_payoffs: (e: EventOf<"strategy_payoffs">) => {
        e.payoffs.forEach((v, k) => {
          if (v !== null) estimates[k] = v;
        });
        for (const l of learners) for (let k = 0; k < STRATEGIES.length; k++) l.hindsight[k] += estimates[k]!;
      },
      learner_updated: (e: EventOf<"learner_updated">) => {
        const l = learnerOf(e.agent);
        if (!l) return;
        l.state = e.state;
        l.realized += e.payoff;
      },
      strategy_imitated: (e: EventOf<"strategy_imitated">) => {
        const l = learnerOf(e.agent);
        if (l) l.state = e.state;
        tally.imitations++;
      },
      interaction_completed: (e: EventOf<"interaction_completed">) => {
        if (e.interaction.auditPenalty > 0) penalise(e.interaction.initiator);
      },
      agent_frozen: (e: EventOf<"agent_frozen">) => penalise(e.agent),
      stake_slashed: (e: EventOf<"stake_slashed">) => penalise(e.agent),
    },

    verify(e: { type: string }): string | null {
      const at = (what: string) => `epoch ${(e as unknown as At).epoch}: ${what}`;
      switch (e.type) {
        case "strategy_chosen": {
          const c = e as EventOf<"strategy_chosen">;
          const l = learnerOf(c.agent);
          if (!l) return at(`strategy_chosen names ${c.agent}, who is not a learner`);
          const ps = probabilities(l.params, l.state, l.strategies.length);
          return same(ps, c.probabilities) ? null : at(`${c.agent}'s probabilities replay as ${JSON.stringify(ps)} but the log records ${JSON.stringify(c.probabilities)}`);
        }
        case "strategy_payoffs": {
          const payoffs = strategyPayoffs();
          return same(payoffs, (e as EventOf<"strategy_payoffs">).payoffs) ? null : at(`strategy payoffs replay as ${JSON.stringify(payoffs)}`);
        }
        case "learner_updated": {
          const u = e as EventOf<"learner_updated">;
          const l = learnerOf(u.agent);
          if (!l) return at(`learner_updated names ${u.agent}, who is not a learner`);
          const again = updated(l);
          return same(again, { payoff: u.payoff, reward: u.reward, state: u.state }) ? null : at(`${u.agent}'s update replays as ${JSON.stringify(again)}`);
        }
        case "strategy_imitated": {
          const i = e as EventOf<"strategy_imitated">;
          const model = learnerOf(i.model);
          return model && same(model.state, i.state) ? null : at(`${i.agent} imitated a state ${i.model} does not hold`);
        }
      }
      return null;
    },
  };
}

/** Equal as the log records them (JSON round-trips doubles exactly). */
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

type Learning = ReturnType<typeof createLearning>;

/** Learners among the selected agents (all learners when unselected). */
const selected = (m: Learning, sel: ReadonlySet<string> | null): Learner[] => m.learners.filter((l) => !sel || sel.has(l.slot.id));

/** The share of the selected learners playing a strategy this epoch. */
const share = (k: number) => (m: Learning, sel: ReadonlySet<string> | null): number | null => {
  const ls = selected(m, sel).filter((l) => l.position >= 0);
  return ls.length ? ls.filter((l) => l.strategies[l.position] === k).length / ls.length : null;
};

/** max over its strategies of Σ estimated payoff, minus Σ its own payoff. */
export function regretOf(l: Pick<Learner, "strategies" | "hindsight" | "realized">): number {
  let best = -Infinity;
  for (const k of l.strategies) if (l.hindsight[k]! > best) best = l.hindsight[k]!;
  return best - l.realized;
}

const METRICS: readonly MetricSpec<Learning>[] = [
  ...STRATEGIES.map((s, k) =>
    series<Learning>("learning", "agent", "stock", `strategy_share.${s}`, "ratio", `Share of the (selected) learners playing the ${s} strategy this epoch.`, `|{learners : playing ${s}}| / |learners|`, share(k), true),
  ),
  series<Learning>("learning", "agent", "stock", "regret", "payoff", "Mean regret of the (selected) learners so far: the payoff of their best fixed strategy in hindsight (each strategy's payoff estimated by what the agents playing it earned) minus what they earned.", "mean_learners (max_k Σ_t π̂_t(k) − Σ_t π_t)", (m, sel) => {
    const ls = selected(m, sel);
    return ls.length ? ls.reduce((s, l) => s + regretOf(l), 0) / ls.length : null;
  }, true),
  series<Learning>("learning", "none", "flow", "imitations", "count", "Learners that copied a better-paid neighbour's strategy at this epoch's end.", "|strategy_imitated|", (m) => (m.learners.length ? m.tally.imitations : null), true),
];

export const learningAgents = mechanism({
  name: "learning-agents",
  doc: "Agents that learn which strategy pays, by Hedge, EXP3, softmax Q-learning or imitation.",
  create: createLearning,
  agents: {
    learner: { params: LearnerParams, block: LEARNER, reportsAs: "honest", policy: (a, ctx) => new LearnerPolicy(a.id, a.params as LearnerParams, ctx) },
  },
  metrics: METRICS,
});
