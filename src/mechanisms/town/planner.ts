/**
 * The planner: what a town member can do now, and what its traits make it
 * do. Trait-driven residents act on its choice; an LLM resident sees the
 * same options, and falls back on its choice when the model cannot answer.
 */
import type { Rng } from "../../kernel/rng/types.ts";
import type { Traits } from "../personas/language.ts";
import type { TownActionKind } from "./language.ts";
import type { TownState } from "./state.ts";
import { actionDistribution, bit, K } from "./temperament.ts";
import { TOWN_ACTIONS } from "./language.ts";

/** A town action as a policy returns it: its kind, its target, and what the decision saw. */
export interface TownChoice {
  readonly kind: TownActionKind;
  readonly target?: string;
  readonly room?: string;
  readonly topic?: string;
  readonly rule?: string;
  readonly options?: number;
  readonly stressed?: boolean;
  readonly source?: "model" | "planner";
  readonly utterance?: string;
  readonly probe?: { readonly item: number; readonly answer: number };
}

export class Planner {
  private readonly dist = new Float64Array(K);

  constructor(
    private readonly s: TownState,
    /** Whether an agent is frozen (governance): frozen agents take no part in encounters. */
    private readonly frozen: (i: number) => boolean,
  ) {}

  /** Others in the agent's encounter who can be acted on. */
  peers(i: number): number[] {
    return this.s.peers(i).filter((j) => !this.frozen(j));
  }

  /** Rooms next to the agent's with room to spare. */
  destinations(i: number): number[] {
    const s = this.s;
    const here = s.room[i]!;
    return here < 0 ? [] : s.neighbours[here]!.filter((r) => s.occupancy[r]! < s.rooms[r]!.capacity);
  }

  /** Someone who stole from the agent and has not been reported yet, with the most such thefts (lowest index on ties). */
  thief(i: number): number {
    const s = this.s;
    let best = -1;
    if (!s.unreported[i]) return best;
    for (let j = 0; j < s.n; j++) if (s.thefts[i * s.n + j]! > 0 && (best < 0 || s.thefts[i * s.n + j]! > s.thefts[i * s.n + best]!)) best = j;
    return best;
  }

  /** The lowest-numbered fact the agent knows but has not cited (-1: none). */
  uncited(i: number): number {
    const s = this.s;
    const F = s.facts.length;
    for (let f = 0; f < F; f++) if (s.known[i * F + f] && !s.cited[i * F + f]) return f;
    return -1;
  }

  /** The actions the agent can take now, as a bitmask. */
  options(i: number): number {
    const s = this.s;
    const t = s.town;
    const here = s.room[i]!;
    if (here < 0) return bit("rest");
    const room = s.rooms[here]!;
    const peers = this.peers(i);
    let o = bit("rest");
    if (this.destinations(i).length) o |= bit("move");
    if (peers.length) o |= bit("talk") | bit("help");
    if (peers.length && s.credits[i]! >= 1) o |= bit("gift");
    if (peers.some((j) => s.credits[j]! >= 1)) o |= bit("steal");
    if (room.work && s.purse[here]! > 0) o |= bit("work");
    if (this.thief(i) >= 0) o |= bit("report");
    switch (t.environment) {
      case "research":
        if (room.research && s.knownCount[i]! < s.facts.length) o |= bit("research");
        if (this.uncited(i) >= 0) o |= bit("cite");
        if (s.knownCount[i]! >= t.difficulty) o |= bit("submit_report");
        break;
      case "policy":
        if (!room.policy) break;
        if (s.fields[i]! < t.difficulty) o |= bit("fill_field");
        if (s.draft[i] === null) o |= bit("propose_plan");
        if (s.fields[i]! >= t.difficulty && s.draft[i] !== null) o |= bit("submit_plan");
        break;
      case "nav":
        if (s.tokens[here]! > 0 && !s.scanned[i]) o |= bit("scan");
        break;
      case "none":
        break;
    }
    return o;
  }

  /** The trait-driven choice: an action drawn by the temperament over the options, then its target. */
  choose(i: number, traits: Traits, rng: Rng): TownChoice {
    const s = this.s;
    const options = this.options(i);
    const stressed = s.stressed(i);
    const p = actionDistribution(s.town.temperament, traits, options, stressed, s.factors, this.dist);
    let r = rng.random();
    let kind: TownActionKind = "rest";
    for (let k = 0; k < K; k++) {
      if (!(p[k]! > 0)) continue;
      kind = TOWN_ACTIONS[k]!;
      if (r < p[k]!) break;
      r -= p[k]!;
    }
    return { ...this.target(i, kind, traits, rng), options, stressed };
  }

  /** Whom or where a chosen action aims at. */
  target(i: number, kind: TownActionKind, traits: Traits, rng: Rng): TownChoice {
    const s = this.s;
    const peers = this.peers(i);
    switch (kind) {
      case "move": {
        const rooms = this.destinations(i);
        const { crowds, novelty } = s.town.temperament;
        const w = rooms.map((r) => Math.exp(crowds * traits.extraversion * (s.occupancy[r]! / s.rooms[r]!.capacity) + (novelty * traits.openness) / (1 + s.visits[i * s.rooms.length + r]!)));
        return { kind, room: s.rooms[rooms[pick(w, rng)]!]!.name };
      }
      case "talk": {
        const j = peers[rng.below(peers.length)]!;
        const topic = s.topics.length ? s.topics[rng.below(s.topics.length)] : undefined;
        return { kind, target: s.ids[j]!, ...(topic !== undefined ? { topic } : {}) };
      }
      case "gift":
      case "help": {
        // The poorest peer first: prosocial acts go where they are needed.
        const j = peers.reduce((best, x) => (s.credits[x]! < s.credits[best]! ? x : best), peers[0]!);
        return { kind, target: s.ids[j]! };
      }
      case "steal": {
        const j = peers.reduce((best, x) => (s.credits[x]! > s.credits[best]! ? x : best), peers[0]!);
        return { kind, target: s.ids[j]! };
      }
      case "report":
        return { kind, target: s.ids[this.thief(i)]! };
      case "propose_plan": {
        const open = s.rules.filter((r) => !s.enacted.has(r.name));
        return open.length ? { kind, rule: open[rng.below(open.length)]!.name } : { kind };
      }
      default:
        return { kind };
    }
  }
}

/** An index drawn with probability proportional to its weight. */
function pick(weights: readonly number[], rng: Rng): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.random() * total;
  for (let k = 0; k < weights.length; k++) {
    if (r < weights[k]!) return k;
    r -= weights[k]!;
  }
  return weights.length - 1;
}

