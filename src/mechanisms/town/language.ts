/**
 * The language surface of the town: the `town` block (rooms, paths,
 * environment, economy, opinions, institutions, the temperament that maps
 * traits to behaviour, LLM memory and probes) and the `resident` agent kind.
 * A scenario without a `town` block has no town: its plan holds no `town`
 * slice at all.
 */
import { z } from "zod";
import { nonNeg, nonNegInt, posInt, prob, slice, optionalSlice } from "../../spec/plan.ts";
import { attr, block, BOOL, enumOf, INT, NUM, prob as probAttr, STR } from "../../spec/build.ts";
import type { AttrSpec, BlockSpec } from "../../spec/types.ts";
import { Distribution } from "../interactions/language.ts";
import { Persona, TRAITS } from "../personas/language.ts";
import { groupSize } from "../scripted-agents/language.ts";
import { finishTown } from "./check.ts";

/** Every town action, in the order the planner, the logs and the docs list them. */
export const TOWN_ACTIONS = ["move", "talk", "work", "gift", "help", "scan", "research", "cite", "submit_report", "fill_field", "propose_plan", "submit_plan", "steal", "report", "rest"] as const;
export type TownActionKind = (typeof TOWN_ACTIONS)[number];

export const ENVIRONMENTS = ["research", "policy", "nav", "none"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Which town actions the sandbox's governance also sees as interactions. */
export const GOVERN = ["none", "conflicts", "all"] as const;

// ---- plan ------------------------------------------------------------------------------------

const Coefficients = z.strictObject({
  base: z.number(),
  openness: z.number(),
  conscientiousness: z.number(),
  extraversion: z.number(),
  agreeableness: z.number(),
  neuroticism: z.number(),
});
export type Coefficients = z.infer<typeof Coefficients>;

export const Temperament = z.strictObject({
  ...(Object.fromEntries(TOWN_ACTIONS.map((a) => [a, Coefficients])) as Record<TownActionKind, typeof Coefficients>),
  /** Whether an agent joins an encounter this tick: a logistic propensity. */
  meet: Coefficients,
  /** Under stress (credits below `stress_below`) every neuroticism coefficient is multiplied by 1 + stress. */
  stress: nonNeg,
  /** Extraverts move toward crowded rooms: weight exp(crowds·E·occupancy share). */
  crowds: z.number(),
  /** Open agents move toward rooms they have seldom visited: weight exp(novelty·O/(1 + visits)). */
  novelty: z.number(),
});
export type Temperament = z.infer<typeof Temperament>;

export const Room = z.strictObject({
  name: z.string(),
  capacity: posInt,
  /** Paid work available here each tick (the room's purse, refilled every tick). */
  credits: nonNegInt,
  /** Navigation tokens the room holds at the start (null: max(3, 2·difficulty), the persona town's rule). */
  tokens: nonNegInt.nullable(),
  work: z.boolean(),
  research: z.boolean(),
  policy: z.boolean(),
});
export type Room = z.infer<typeof Room>;

export const Topic = z.strictObject({ name: z.string(), initial: Distribution });

export const Rule = z.strictObject({
  name: z.string(),
  text: z.string(),
  action: z.enum(TOWN_ACTIONS),
  /** Multiplies the action's propensity for trait-driven agents once the rule is enacted. */
  propensity: nonNeg,
  /** Credits an agent pays each time it takes the action while the rule is enacted. */
  cost: nonNegInt,
  /** Enacted from the start (else only once a submitted plan enacts it). */
  active: z.boolean(),
});
export type Rule = z.infer<typeof Rule>;

export const Town = z.strictObject({
  environment: z.enum(ENVIRONMENTS),
  difficulty: posInt,
  /** Share of the research corpus's facts that are false. */
  distractors: prob,
  maxEvents: nonNegInt,
  startCredits: nonNegInt,
  workPay: posInt,
  giftAmount: posInt,
  stealAmount: posInt,
  fine: nonNegInt,
  stressBelow: nonNegInt,
  govern: z.enum(GOVERN),
  rooms: z.array(Room).min(1),
  /** Undirected paths between rooms. */
  paths: z.array(z.tuple([z.string(), z.string()])),
  topics: z.array(Topic),
  rules: z.array(Rule),
  opinions: z.strictObject({ confidence: z.number().min(0).max(2), rate: z.number().min(0).max(0.5), openness: z.number().min(0).max(1) }),
  temperament: Temperament,
  memory: z.strictObject({ reflectEvery: posInt, shown: nonNegInt }),
  probes: z.strictObject({ every: nonNegInt }),
});
export type Town = z.infer<typeof Town>;

export const TOWN_SLICE = optionalSlice(["town"], Town);

export const ResidentParams = z.strictObject({ persona: Persona });

// ---- the temperament: traits → propensities ----------------------------------------------------

/**
 * The default mapping from traits to action propensities (docs/town.md shows
 * it as a table; a test keeps the two equal). An action's weight is
 * exp(base + Σ coefficient·trait) over the actions the agent can take, so
 * each weight is monotone in each trait with its coefficient's sign.
 */
export const DEFAULT_TEMPERAMENT: Readonly<Record<TownActionKind | "meet", readonly [base: number, O: number, C: number, E: number, A: number, N: number]>> = {
  move: [-1.0, 0.8, -0.3, 0.4, 0, 0.2],
  talk: [0.3, 0.2, 0, 1.5, 0.3, -0.3],
  work: [0.5, -0.2, 1.2, 0, 0, 0],
  gift: [-1.5, 0, 0, 0.2, 1.5, -0.2],
  help: [-1.0, 0, 0.3, 0.2, 1.5, -0.2],
  scan: [0, 0.6, 0.6, 0, 0, 0],
  research: [0, 1.2, 0.5, -0.2, 0, 0],
  cite: [-0.5, 0.4, 0.8, 0, 0, 0],
  submit_report: [0.5, 0, 1.0, 0, 0, 0],
  fill_field: [0, 0, 1.0, 0, 0, 0],
  propose_plan: [-0.5, 0.5, 0.4, 0.4, 0.2, 0],
  submit_plan: [0.5, 0, 1.0, 0, 0, 0],
  steal: [-3.0, 0, -0.5, 0, -1.5, 1.0],
  report: [-0.5, 0, 0.5, 0, -0.3, 0.5],
  rest: [-1.5, -0.3, -0.5, -0.8, 0, 1.0],
  meet: [0, 0.2, 0, 2.0, 0.3, -1.0],
};

const ACTION_DOC: Readonly<Record<TownActionKind | "meet", string>> = {
  move: "Moving to a neighbouring room.",
  talk: "Talking with someone in the encounter (moves opinions).",
  work: "Paid work where the room affords it.",
  gift: "Giving credits to someone in the encounter.",
  help: "Working for someone in the encounter (they are paid).",
  scan: "Scanning the room for a navigation token.",
  research: "Looking up a fact (research sprint).",
  cite: "Checking and citing a known fact.",
  submit_report: "Submitting a research report.",
  fill_field: "Filling a field of the policy checklist.",
  propose_plan: "Drafting a plan (a rule to enact).",
  submit_plan: "Submitting a completed plan, which enacts its rule.",
  steal: "Stealing credits from someone in the encounter.",
  report: "Reporting a thief, who pays a fine.",
  rest: "Withdrawing: doing nothing this tick.",
  meet: "Joining an encounter this tick (a logistic probability, not a weight among actions).",
};

function coefficientsBlock(kind: TownActionKind | "meet"): BlockSpec {
  const [base, ...coefs] = DEFAULT_TEMPERAMENT[kind];
  return block(kind, `Propensity of ${ACTION_DOC[kind].charAt(0).toLowerCase()}${ACTION_DOC[kind].slice(1)}`, [
    attr("base", NUM, "The propensity's intercept.", { key: "base", default: base }),
    ...TRAITS.map((t, i) => attr(t, NUM, `How much ${t} raises (or, negative, lowers) it.`, { key: t, default: coefs[i]! })),
  ], { lower: { field: kind } });
}

export const TEMPERAMENT = block("temperament", "The mapping from Big-Five traits to what a resident does: per action, a weight exp(base + Σ coefficient·trait) among the actions it can take; `meet` is the logistic chance of joining an encounter. Every coefficient can be overridden; docs/town.md shows the table.", [
  attr("stress", NUM, "Under stress (credits below the town's stress_below) every neuroticism coefficient is multiplied by 1 + stress.", { key: "stress", default: 1.0 }),
  attr("crowds", NUM, "Extraverts move toward crowded rooms: a destination's weight is multiplied by exp(crowds·E·occupancy/capacity).", { key: "crowds", default: 1.0 }),
  attr("novelty", NUM, "Open agents move toward rooms they seldom visited: exp(novelty·O/(1 + visits)).", { key: "novelty", default: 1.0 }),
], { blocks: [...TOWN_ACTIONS.map(coefficientsBlock), coefficientsBlock("meet")], preset: true, lower: { field: "temperament" } });

// ---- the town block ----------------------------------------------------------------------------

const ROOM = block("room", "A place in the town: its capacity, the paid work it holds each tick, its navigation tokens, and what it affords.", [
  attr("capacity", INT, "Most agents the room holds at once.", { key: "capacity", default: 10, unit: "agents" }),
  attr("credits", INT, "Paid work available here each tick: `work` pays from it, and it is refilled every tick.", { key: "credits", default: 0, unit: "credits" }),
  attr("tokens", INT, "Navigation tokens the room holds at the start (default max(3, 2·difficulty)).", { key: "tokens", default: null, unit: "tokens" }),
  attr("work", BOOL, "Whether agents can work here.", { key: "work", default: false }),
  attr("research", BOOL, "Whether agents can research here (the research sprint).", { key: "research", default: false }),
  attr("policy", BOOL, "Whether agents can work on the policy checklist here.", { key: "policy", default: false }),
], { named: "required", repeatable: true, lower: { field: "rooms", list: true } });

const TOPIC = block("topic", "A question agents hold opinions on, in [−1, 1]; talking moves them by bounded confidence.", [
  attr("initial", { t: "distribution" }, "How each agent's opinion is drawn at the start.", { key: "initial", default: { dist: "uniform", low: -1, high: 1 } }),
], { named: "required", repeatable: true, lower: { field: "topics", list: true } });

const RULE = block("rule", "An institution: a rule that, once enacted (by a submitted plan, or from the start), changes an action's propensity or cost.", [
  attr("text", STR, "What the rule says (LLM agents read it).", { key: "text", default: "" }),
  attr("action", enumOf(TOWN_ACTIONS), "The action the rule governs.", { key: "action", default: "steal" }),
  attr("propensity", NUM, "Multiplies the action's propensity for trait-driven agents (0 forbids it, 1 leaves it).", { key: "propensity", default: 1.0 }),
  attr("cost", INT, "Credits an agent pays each time it takes the action.", { key: "cost", default: 0, unit: "credits" }),
  attr("active", BOOL, "Enacted from the start.", { key: "active", default: false }),
], { named: "required", repeatable: true, lower: { field: "rules", list: true } });

const OPINIONS = block("opinions", "Bounded-confidence influence (Deffuant–Weisbuch): two agents talking about a topic move toward each other only when their opinions differ by less than the confidence.", [
  attr("confidence", NUM, "Opinions closer than this move toward each other (ε).", { key: "confidence", default: 0.5 }),
  attr("rate", NUM, "Fraction of the difference each moves (μ).", { key: "rate", default: 0.3 }),
  attr("openness", NUM, "How much openness widens an agent's confidence: ε·(1 + openness·O).", { key: "openness", default: 0.5 }),
], { lower: { field: "opinions" } });

const MEMORY = block("memory", "LLM residents' memory: an observation store, and a reflection that sums up the highest-scoring memories every few ticks.", [
  attr("reflect_every", INT, "Ticks between reflections.", { key: "reflectEvery", default: 5, unit: "ticks" }),
  attr("shown", INT, "Memories shown in each prompt.", { key: "shown", default: 6 }),
], { lower: { field: "memory" } });

const PROBES = block("probes", "IPIP-style self-report probes for LLM residents: a Likert item in the prompt on a cooldown, scored against the agent's traits.", [
  attr("every", INT, "Ticks between an agent's probes (0: never).", { key: "every", default: 10, unit: "ticks" }),
], { lower: { field: "probes" } });

const townAttrs: AttrSpec[] = [
  attr("environment", enumOf(ENVIRONMENTS), "The work the town is graded on: the research sprint, the policy checklist, navigation, or none.", { key: "environment", default: "research" }),
  attr("difficulty", INT, "Facts per report (research), fields per checklist (policy), tokens per agent (navigation).", { key: "difficulty", default: 3 }),
  probAttr("distractors", 0.25, "Share of the research corpus's facts that are false.", { key: "distractors" }),
  attr("max_events", INT, "Most encounters per tick.", { key: "maxEvents", default: 16, unit: "encounters" }),
  attr("start_credits", INT, "Each resident's credits at the start.", { key: "startCredits", default: 5, unit: "credits" }),
  attr("work_pay", INT, "Credits a successful `work` (or `help`) pays.", { key: "workPay", default: 1, unit: "credits" }),
  attr("gift_amount", INT, "Credits a gift gives (at most what the giver has).", { key: "giftAmount", default: 1, unit: "credits" }),
  attr("steal_amount", INT, "Credits a theft takes (at most what the victim has).", { key: "stealAmount", default: 2, unit: "credits" }),
  attr("fine", INT, "Credits a reported thief pays its victim (at most what it has).", { key: "fine", default: 2, unit: "credits" }),
  attr("stress_below", INT, "An agent with fewer credits than this is under stress.", { key: "stressBelow", default: 2, unit: "credits" }),
  attr("govern", enumOf(GOVERN), "Town actions the sandbox's governance also sees as interactions: none, conflicts (steal, report), or all social actions.", { key: "govern", default: "none" }),
  attr("paths", { t: "edges" }, 'Paths between rooms, `[["a", "b"], …]` (default: every room to every other).', { key: "paths", default: null }),
];

export const TOWN = block("town", "A town of rooms where residents with Big-Five personas move, meet in encounters of 2–3, talk, work, help and steal, hold opinions and enact rules. Without rooms it is the persona town's: town_square, community_center and library.", townAttrs, {
  blocks: [ROOM, TOPIC, RULE, OPINIONS, TEMPERAMENT, MEMORY, PROBES],
  preset: true,
  lower: { slice: TOWN_SLICE, finish: finishTown },
});

export const RESIDENT = block("resident", "Town residents whose behaviour follows their persona's Big-Five traits through the town's temperament.", [
  groupSize,
  attr("persona", { t: "ref", kind: "persona" }, "The persona whose traits the residents have (drawn around them when the scenario has a `personas` block).", { key: "persona", default: "open" }),
], { named: "optional", repeatable: true, lower: { slice: slice([], ResidentParams) } });
