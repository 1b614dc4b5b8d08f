/**
 * LLM agents in the town. Each decision is framed (src/mechanisms/llm-agents/
 * frame.ts) by what the agent sees here: its room and who else is there, its
 * encounter, its holdings and work, the rules in force, its opinions, a
 * reflection over its highest-scoring memories (recomputed every
 * `reflect_every` ticks) and its recent memories, the options it has, and —
 * on a cooldown — one IPIP-style self-report item. The answer is one JSON
 * object, checked with zod and against the options; when the model cannot
 * give a usable one, the planner's trait-driven suggestion is taken, and the
 * action records which of the two decided.
 */
import { z } from "zod";
import type { Action } from "../../kernel/actions.ts";
import type { Rng } from "../../kernel/rng/types.ts";
import type { Parsed } from "../../llm/parse.ts";
import { renderTraits } from "../../llm/prompt.ts";
import type { LlmFrame } from "../llm-agents/frame.ts";
import { TRAITS, type Persona, type Trait, type Traits } from "../personas/language.ts";
import { TOWN_ACTIONS, type TownActionKind } from "./language.ts";
import type { Planner, TownChoice } from "./planner.ts";
import type { Observation, TownState } from "./state.ts";
import { hasOption } from "./temperament.ts";

/** The first line of every town prompt (the offline responder recognises town prompts by it). */
export const TOWN_PROMPT_MARKER = "# Town";
export const UTTERANCE_MAX = 280;

/**
 * Self-report items, two per trait, one keyed each way (the Mini-IPIP's,
 * from the public-domain International Personality Item Pool).
 */
export const PROBE_ITEMS: readonly { readonly text: string; readonly trait: Trait; readonly keyed: 1 | -1 }[] = [
  { text: "I am the life of the party.", trait: "extraversion", keyed: 1 },
  { text: "I sympathize with others' feelings.", trait: "agreeableness", keyed: 1 },
  { text: "I get chores done right away.", trait: "conscientiousness", keyed: 1 },
  { text: "I have frequent mood swings.", trait: "neuroticism", keyed: 1 },
  { text: "I have a vivid imagination.", trait: "openness", keyed: 1 },
  { text: "I don't talk a lot.", trait: "extraversion", keyed: -1 },
  { text: "I am not interested in other people's problems.", trait: "agreeableness", keyed: -1 },
  { text: "I often forget to put things back in their proper place.", trait: "conscientiousness", keyed: -1 },
  { text: "I am relaxed most of the time.", trait: "neuroticism", keyed: -1 },
  { text: "I am not interested in abstract ideas.", trait: "openness", keyed: -1 },
];

/** A probe answer's agreement with the traits: the trait the answer implies, keyed·(answer − 3)/2, against the label's, mapped to [0, 1]. */
export function probeScore(item: number, answer: number, label: Traits): number {
  const it = PROBE_ITEMS[item % PROBE_ITEMS.length]!;
  const implied = (it.keyed * (answer - 3)) / 2;
  return 1 - Math.abs(implied - label[it.trait]) / 2;
}

/** Words whose memories a trait makes an agent dwell on (the persona town's trait resonance). */
const RESONANCE: Readonly<Record<Trait, readonly string[]>> = {
  extraversion: ["met", "talked", "talk"],
  agreeableness: ["gave", "helped", "gift", "help"],
  conscientiousness: ["work", "report", "field", "plan"],
  openness: ["research", "move", "cite"],
  neuroticism: ["stole", "fine", "could not", "steal"],
};

/**
 * The reflection: memories scored importance + recency (1 − 0.01·age, at
 * least 0.1) + ½·trait resonance (the strongest |trait| whose words the
 * memory mentions); the `shown` best, best first (recent first on ties).
 */
export function reflect(memories: readonly Observation[], tick: number, traits: Traits, shown: number): Observation[] {
  const scored = memories.map((m) => {
    let resonance = 0;
    for (const t of TRAITS) if (RESONANCE[t].some((w) => m.text.includes(w))) resonance = Math.max(resonance, Math.abs(traits[t]));
    return { m, score: m.importance + Math.max(0.1, 1 - 0.01 * (tick - m.tick)) + 0.5 * resonance };
  });
  scored.sort((a, b) => b.score - a.score || b.m.tick - a.m.tick);
  return scored.slice(0, shown).map((x) => x.m);
}

const Answer = z.looseObject({
  action: z.enum(TOWN_ACTIONS, { error: `action must be one of ${TOWN_ACTIONS.join(", ")}` }),
  target: z.union([z.string(), z.number().transform(String)]).optional(),
  room: z.string().optional(),
  topic: z.string().optional(),
  rule: z.string().optional(),
  utterance: z.string().optional(),
  reasoning: z.string().optional(),
  probe: z.union([z.number().int().min(1).max(5), z.string().regex(/^[1-5]$/).transform(Number)]).optional(),
});

/** What one decision saw, fixed when the prompt was written. */
interface Sight {
  readonly i: number;
  readonly options: number;
  readonly stressed: boolean;
  readonly peers: readonly string[];
  readonly rooms: readonly string[];
  readonly thief: string | null;
  readonly openRules: readonly string[];
  readonly probe: number | null;
}

export class TownMinds {
  /** Each LLM agent's last reflection, and when it was made. */
  private readonly reflections = new Map<number, { tick: number; items: Observation[] }>();

  constructor(
    private readonly s: TownState,
    private readonly planner: Planner,
  ) {}

  /** The frame of agent i's decision this tick; `rng` is its own stream, for the planner's fallback. */
  frame(i: number, persona: Persona, tick: number, at: { epoch: number; step: number }, rng: Rng): LlmFrame {
    const s = this.s;
    const drive = s.drive(i) ?? persona.traits;
    const sight = this.sight(i, tick);
    const system = systemPrompt({ ...persona, traits: drive });
    const user = this.userPrompt(sight, at, tick, drive);
    const finish = (c: TownChoice, source: "model" | "planner"): Action => ({ ...c, options: sight.options, stressed: sight.stressed, source }) as unknown as Action;
    return {
      system,
      user,
      fallbackName: "planner",
      parse: (json) => this.parse(json, sight),
      fallback: () => this.planner.choose(i, drive ?? ZERO, rng) as unknown as Action,
      settle: (action, source) => finish(action as unknown as TownChoice, source),
    };
  }

  private sight(i: number, tick: number): Sight {
    const s = this.s;
    const every = s.town.probes.every;
    const probeDue = every > 0 && tick - s.lastProbe[i]! >= every;
    const thief = this.planner.thief(i);
    return {
      i,
      options: this.planner.options(i),
      stressed: s.stressed(i),
      peers: this.planner.peers(i).map((j) => s.ids[j]!),
      rooms: this.planner.destinations(i).map((r) => s.rooms[r]!.name),
      thief: thief >= 0 ? s.ids[thief]! : null,
      openRules: s.rules.filter((r) => !s.enacted.has(r.name)).map((r) => r.name),
      probe: probeDue ? s.probeCount[i]! % PROBE_ITEMS.length : null,
    };
  }

  private parse(json: unknown, sight: Sight): Parsed<Action> {
    const parsed = Answer.safeParse(json);
    if (!parsed.success) return { ok: false, fault: "invalid", error: parsed.error.issues.map((x) => `${x.path.join(".") || "answer"}: ${x.message}`).join("; ") };
    const a = parsed.data;
    const kind = a.action as TownActionKind;
    const bad = (error: string): Parsed<Action> => ({ ok: false, fault: "invalid", error });
    if (!hasOption(sight.options, kind)) return bad(`'${kind}' is not one of your options now`);
    const choice: { -readonly [K in keyof TownChoice]: TownChoice[K] } = { kind };
    switch (kind) {
      case "talk":
      case "gift":
      case "help":
      case "steal":
        if (!a.target || !sight.peers.includes(a.target)) return bad(`${kind} needs a target in your encounter: one of ${sight.peers.join(", ")}`);
        choice.target = a.target;
        if (kind === "talk" && a.topic !== undefined) {
          if (!this.s.topics.includes(a.topic)) return bad(`topic must be one of ${this.s.topics.join(", ") || "(none)"}`);
          choice.topic = a.topic;
        }
        break;
      case "report":
        if (a.target !== sight.thief) return bad(`report needs the target ${sight.thief ?? "(nobody)"}`);
        choice.target = a.target;
        break;
      case "move":
        if (!a.room || !sight.rooms.includes(a.room)) return bad(`move needs a room: one of ${sight.rooms.join(", ")}`);
        choice.room = a.room;
        break;
      case "propose_plan":
        if (a.rule !== undefined) {
          if (!sight.openRules.includes(a.rule)) return bad(`rule must be one of ${sight.openRules.join(", ") || "(none)"}`);
          choice.rule = a.rule;
        }
        break;
      default:
        break;
    }
    if (a.utterance) choice.utterance = a.utterance.length > UTTERANCE_MAX ? `${a.utterance.slice(0, UTTERANCE_MAX)}...` : a.utterance;
    if (sight.probe !== null && a.probe !== undefined) choice.probe = { item: sight.probe, answer: a.probe };
    return { ok: true, value: choice as unknown as Action, reasoning: a.reasoning ?? "" };
  }

  private userPrompt(sight: Sight, at: { epoch: number; step: number }, tick: number, traits: Traits | null): string {
    const s = this.s;
    const t = s.town;
    const i = sight.i;
    const here = s.room[i]!;
    const room = s.rooms[here]!;
    const affords = [room.work ? "work" : "", room.research ? "research" : "", room.policy ? "policy work" : ""].filter(Boolean).join(", ") || "nothing in particular";
    const lines: string[] = [
      TOWN_PROMPT_MARKER,
      `Your ID: ${s.ids[i]}`,
      `Epoch: ${at.epoch}, Step: ${at.step}`,
      `Tick: ${tick}`,
      "",
      "## Where you are",
      `Room: ${room.name} (${s.occupancy[here]} of ${room.capacity} here). It affords ${affords}.`,
      `Neighbouring rooms: ${s.neighbours[here]!.map((r) => `${s.rooms[r]!.name} (${s.occupancy[r]}/${s.rooms[r]!.capacity})`).join(", ") || "none"}`,
      "",
      "## Your encounter",
      sight.peers.length ? `You are with: ${sight.peers.map((id) => `${id} (${s.credits[s.idx.get(id)!]} credits)`).join(", ")}` : "You are alone this tick.",
      "",
      "## Holdings",
      `Credits: ${s.credits[i]}${sight.stressed ? " (you are short of credits)" : ""}. Work pays ${t.workPay}.`,
      "",
      `## Your work (${environmentName(t.environment)}, difficulty ${t.difficulty})`,
      workLine(s, i),
    ];
    const rules = s.rules.filter((r) => s.enacted.has(r.name));
    if (rules.length) lines.push("", "## Rules in force", ...rules.map((r) => `- ${r.name}: ${r.text || `${r.action} ×${r.propensity}`}${r.cost ? ` (costs ${r.cost} credits)` : ""}`));
    if (s.topics.length) lines.push("", "## Your opinions (from -1 to 1)", ...s.topics.map((name, k) => `- ${name}: ${s.opinion(i, k).toFixed(2)}`));
    const memories = s.memories[i]!;
    if (memories.length) {
      let r = this.reflections.get(i);
      if (!r || tick - r.tick >= t.memory.reflectEvery) this.reflections.set(i, (r = { tick, items: reflect(memories, tick, traits ?? ZERO, t.memory.shown) }));
      lines.push("", "## Reflection", ...r.items.map((m) => `- ${m.text}`));
      lines.push("", "## Recent memories", ...memories.slice(-t.memory.shown).map((m) => `- [tick ${m.tick}] ${m.text}`));
    }
    lines.push("", "## Options", ...optionLines(s, sight));
    if (sight.probe !== null) {
      const item = PROBE_ITEMS[sight.probe]!;
      lines.push("", "## Self-report", `How accurately does this describe you? "${item.text}" Add "probe": 1 (very inaccurate) to 5 (very accurate).`);
    }
    return lines.join("\n");
  }
}

const ZERO: Traits = { openness: 0, conscientiousness: 0, extraversion: 0, agreeableness: 0, neuroticism: 0 };

function environmentName(e: string): string {
  return e === "research" ? "research sprint" : e === "policy" ? "policy checklist" : e === "nav" ? "navigation" : "no shared task";
}

function workLine(s: TownState, i: number): string {
  const t = s.town;
  switch (t.environment) {
    case "research":
      return `Facts you know: ${s.knownCount[i]}. A report needs ${t.difficulty}; it is graded on true facts and valid citations.`;
    case "policy":
      return `Checklist fields filled: ${s.fields[i]} of ${t.difficulty}. Plan drafted: ${s.draft[i] === null ? "no" : s.draft[i] || "yes"}.`;
    case "nav":
      return `Tokens found: ${s.held[i]} of ${t.difficulty}. This room has ${s.tokens[s.room[i]!]} left${s.scanned[i] ? "; you scanned it already" : ""}.`;
    default:
      return "None: live as you see fit.";
  }
}

function optionLines(s: TownState, sight: Sight): string[] {
  const out: string[] = [];
  for (const kind of TOWN_ACTIONS) {
    if (!hasOption(sight.options, kind)) continue;
    switch (kind) {
      case "move":
        out.push(`- move: "room" one of ${sight.rooms.join(", ")}`);
        break;
      case "talk":
        out.push(`- talk: "target" one of ${sight.peers.join(", ")}${s.topics.length ? `; "topic" one of ${s.topics.join(", ")}` : ""}; say something in "utterance"`);
        break;
      case "gift":
      case "help":
      case "steal":
        out.push(`- ${kind}: "target" one of ${sight.peers.join(", ")}`);
        break;
      case "report":
        out.push(`- report: "target" ${sight.thief}`);
        break;
      case "propose_plan":
        out.push(`- propose_plan${sight.openRules.length ? `: "rule" one of ${sight.openRules.join(", ")}` : ""}`);
        break;
      default:
        out.push(`- ${kind}`);
    }
  }
  return out;
}

function systemPrompt(persona: Persona): string {
  const head = [persona.prompt.trim(), renderTraits(persona)].filter((x) => x !== "").join("\n\n");
  const schema = [
    "## The town",
    "You live in a town of rooms with other agents. Each tick you take one action: move between rooms, talk, work, give, help or steal from those you meet, do your share of the town's work, or rest.",
    "",
    "## Response Format",
    'Respond with one JSON object and nothing else: {"action": "...", "target": "...", "room": "...", "topic": "...", "rule": "...", "utterance": "...", "reasoning": "..."}',
    "Use only the fields your action needs; the action must be one of your options.",
  ].join("\n");
  return `${head}\n\n${schema}`;
}
