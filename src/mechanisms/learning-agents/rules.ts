/**
 * The learning rules, as pure functions of a learner's state: the live run
 * decides with them, the replay recomputes every logged update with them
 * (verify), and the property tests check them against their theory.
 *
 * A learner chooses among K strategies once per epoch. Its reward for an
 * epoch is its payoff π mapped into [0, 1] by `reward(π, scale)`.
 *
 * - Hedge (exponential weights, full information): log-weights L; play
 *   p = softmax(L); after the epoch, L_k += η·g_k for every strategy k,
 *   g being the reward each strategy earned (estimated from the agents that
 *   played it). Regret against the best fixed strategy is at most
 *   ln K / η + η·T / 8 for rewards in [0, 1] (Freund & Schapire 1997).
 * - EXP3 (bandit: only the played strategy's reward is seen):
 *   p = (1 − γ)·softmax(L) + γ/K; after playing k with reward r,
 *   L_k += η·r / p_k (Auer et al. 2002; η = γ/K is the textbook choice).
 * - Q-learning with a softmax (Boltzmann) policy over a two-state world:
 *   state 0 "clean", state 1 "penalised" (the agent was fined by an audit,
 *   frozen, or had stake slashed in the previous epoch). Play
 *   p = softmax(Q[s]/τ); after the epoch, with s' the state it ends in,
 *   Q[s][a] += α·(r + δ·max Q[s'] − Q[s][a]).
 * - Replicator: a pure strategy that changes only by imitation; the first is
 *   drawn uniformly (state −1 until then).
 *
 * Imitation (any rule): at an epoch's end a learner looks at one neighbour;
 * if the neighbour earned more, it copies the neighbour's state with
 * probability imitation·min(1, (π_neighbour − π_self)/scale) — proportional
 * imitation, whose population dynamics are the replicator dynamics
 * (Schlag 1998).
 */
import { exp } from "../../kernel/libm.ts";

export const RULES = ["hedge", "exp3", "q_learning", "replicator"] as const;
export type Rule = (typeof RULES)[number];

/** What a learner carries from epoch to epoch (JSON, logged with every update). */
export type LearnerState =
  | { readonly rule: "hedge" | "exp3"; readonly logWeights: readonly number[] }
  | { readonly rule: "q_learning"; readonly q: readonly (readonly number[])[]; readonly situation: number }
  | { readonly rule: "replicator"; readonly strategy: number };

export interface RuleParams {
  readonly rule: Rule;
  readonly learningRate: number;
  readonly exploration: number;
  readonly temperature: number;
  readonly discount: number;
}

/** The two situations a Q-learner distinguishes. */
export const SITUATIONS = ["clean", "penalised"] as const;

export function initialState(params: RuleParams, k: number): LearnerState {
  switch (params.rule) {
    case "hedge":
    case "exp3":
      return { rule: params.rule, logWeights: new Array<number>(k).fill(0) };
    case "q_learning":
      return { rule: "q_learning", q: SITUATIONS.map(() => new Array<number>(k).fill(0)), situation: 0 };
    case "replicator":
      return { rule: "replicator", strategy: -1 };
  }
}

/** Probabilities in [0, 1] summing to 1: exp(x − max x), normalised (shifting keeps exp finite). */
export function softmax(xs: readonly number[]): number[] {
  let max = -Infinity;
  for (const x of xs) if (x > max) max = x;
  const ws = xs.map((x) => exp(x - max));
  let total = 0;
  for (const w of ws) total += w;
  return ws.map((w) => w / total);
}

/** The mixed strategy the state plays over its k strategies. */
export function probabilities(params: RuleParams, state: LearnerState, k: number): number[] {
  switch (state.rule) {
    case "hedge":
      return softmax(state.logWeights);
    case "exp3": {
      const k = state.logWeights.length;
      const gamma = params.exploration;
      return softmax(state.logWeights).map((p) => (1 - gamma) * p + gamma / k);
    }
    case "q_learning":
      return softmax(state.q[state.situation]!.map((v) => v / params.temperature));
    case "replicator":
      return Array.from({ length: k }, (_, i) => (state.strategy < 0 ? 1 / k : i === state.strategy ? 1 : 0));
  }
}

/** An index drawn from `ps` with one uniform draw u ∈ [0, 1): the first k whose cumulative probability exceeds u. */
export function sample(ps: readonly number[], u: number): number {
  let acc = 0;
  for (let k = 0; k < ps.length; k++) {
    acc += ps[k]!;
    if (u < acc) return k;
  }
  // Rounding left the cumulative sum just below 1: the last strategy with positive probability.
  for (let k = ps.length - 1; k >= 0; k--) if (ps[k]! > 0) return k;
  return 0;
}

/** An epoch's payoff as a reward in [0, 1]: ½ + π/(2·scale), clamped. */
export function reward(payoff: number, scale: number): number {
  const r = 0.5 + payoff / (2 * scale);
  return r < 0 ? 0 : r > 1 ? 1 : r;
}

/** What a learner learns from at an epoch's end. */
export interface Feedback {
  /** The strategy it played. */
  readonly played: number;
  /** Its own reward in [0, 1]. */
  readonly reward: number;
  /** Every strategy's reward this epoch, estimated from the agents that played it (Hedge's full information). */
  readonly rewards: readonly number[];
  /** The situation it ends the epoch in (Q-learning). */
  readonly situation: number;
}

/** The state after one epoch's feedback. */
export function update(params: RuleParams, state: LearnerState, f: Feedback): LearnerState {
  switch (state.rule) {
    case "hedge":
      return { rule: "hedge", logWeights: recentre(state.logWeights.map((l, k) => l + params.learningRate * f.rewards[k]!)) };
    case "exp3": {
      const p = probabilities(params, state, state.logWeights.length)[f.played]!;
      return { rule: "exp3", logWeights: recentre(state.logWeights.map((l, k) => (k === f.played ? l + (params.learningRate * f.reward) / p : l))) };
    }
    case "q_learning": {
      const s = state.situation;
      const next = state.q[f.situation]!;
      let best = -Infinity;
      for (const v of next) if (v > best) best = v;
      const q = state.q.map((row, i) =>
        i === s ? row.map((v, a) => (a === f.played ? v + params.learningRate * (f.reward + params.discount * best - v) : v)) : row.slice(),
      );
      return { rule: "q_learning", q, situation: f.situation };
    }
    case "replicator":
      return state;
  }
}

/** Log-weights shifted so the largest is 0: the same distribution, and no overflow over long runs. */
function recentre(ls: readonly number[]): number[] {
  let max = -Infinity;
  for (const l of ls) if (l > max) max = l;
  return ls.map((l) => l - max);
}

/** The chance of copying a neighbour that earned `theirs` when oneself earned `mine`. */
export function imitationChance(imitation: number, mine: number, theirs: number, scale: number): number {
  if (!(theirs > mine)) return 0;
  const d = (theirs - mine) / scale;
  return imitation * (d > 1 ? 1 : d);
}
