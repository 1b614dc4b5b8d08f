/**
 * The language surface of personas: `persona` declarations (a prompt and
 * Big-Five traits), which LLM agents and town residents alike name, and the
 * scenario's `personas` block — how each agent's traits are sampled around
 * its persona's, the cohort bands, and the placebo that deranges them.
 */
import { z } from "zod";
import { slice, optionalSlice } from "../../spec/plan.ts";
import { attr, block, BOOL, enumOf, NUM, STR } from "../../spec/build.ts";
import type { PlainValue, SliceContext } from "../../spec/types.ts";
import { Distribution } from "../interactions/language.ts";

/** The Big Five, in the order the plan and prompts list them. */
export const TRAITS = ["openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism"] as const;
export type Trait = (typeof TRAITS)[number];
/** The one-letter labels cohorts use (`E:high`), as the persona town writes them. */
export const TRAIT_LETTER: Readonly<Record<Trait, string>> = { openness: "O", conscientiousness: "C", extraversion: "E", agreeableness: "A", neuroticism: "N" };

const coefficient = z.number().min(-1).max(1);

export const PersonaTraits = z.strictObject({
  openness: coefficient,
  conscientiousness: coefficient,
  extraversion: coefficient,
  agreeableness: coefficient,
  neuroticism: coefficient,
});
export type Traits = z.infer<typeof PersonaTraits>;

export const Persona = z.strictObject({
  name: z.string(),
  prompt: z.string(),
  traits: PersonaTraits.nullable(),
});
export type Persona = z.infer<typeof Persona>;

const TRAITS_BLOCK = block("traits", "Big-Five personality traits in [−1, 1]: rendered into an LLM agent's prompt, and the coefficients a town resident's behaviour follows.", [
  attr("openness", NUM, "Openness to experience.", { key: "openness", default: 0 }),
  attr("conscientiousness", NUM, "Conscientiousness.", { key: "conscientiousness", default: 0 }),
  attr("extraversion", NUM, "Extraversion.", { key: "extraversion", default: 0 }),
  attr("agreeableness", NUM, "Agreeableness.", { key: "agreeableness", default: 0 }),
  attr("neuroticism", NUM, "Neuroticism.", { key: "neuroticism", default: 0 }),
], { lower: { field: "traits", absent: "null" } });

export const PERSONA = block("persona", "A named persona: a prompt and optional Big-Five traits, declared once and used by LLM agents and town residents alike.", [
  attr("prompt", STR, "How the agent should see itself and its goals.", { key: "prompt" }),
  attr("description", STR, "A one-line summary shown in hover and reports.", { default: "" }),
], { blocks: [TRAITS_BLOCK], named: "required", lower: { slice: slice([], Persona) } });

// ---- sampling ------------------------------------------------------------------------------

export const SAMPLING = ["independent", "latin_hypercube"] as const;

/** A trait's range: uniform(a, b) or a constant, replacing persona ± jitter for every agent. */
const TraitRange = Distribution.nullable();

export const Personas = z.strictObject({
  /** Each trait is drawn uniformly within ± jitter of the persona's (or from its range), then clamped to [−1, 1]. */
  jitter: z.number().min(0).max(2),
  /** independent: each agent's traits drawn on their own; latin_hypercube: stratified across each population group. */
  sampling: z.enum(SAMPLING),
  ranges: z.strictObject({ openness: TraitRange, conscientiousness: TraitRange, extraversion: TraitRange, agreeableness: TraitRange, neuroticism: TraitRange }),
  /** A trait at or below `low` puts the agent in the trait's low cohort, at or above `high` in its high cohort. */
  cohorts: z.strictObject({ low: coefficient, high: coefficient }),
  /** Placebo: every agent behaves by another agent's traits (a seeded derangement) while keeping its own as its label. */
  placebo: z.boolean(),
});
export type Personas = z.infer<typeof Personas>;

/** Cohort bands when the scenario declares none. */
export const DEFAULT_COHORTS = { low: -0.5, high: 0.5 } as const;

export const PERSONAS_SLICE = optionalSlice(["personas"], Personas);

const range = (trait: Trait) =>
  attr(trait, { t: "distribution" }, `The range ${trait} is drawn from, \`uniform(a, b)\` or a constant, instead of the persona's value ± jitter.`, { key: trait, default: null });

const RANGES = block("ranges", "Per-trait ranges: a trait given here is drawn from its range for every agent, whatever its persona says.", TRAITS.map(range), { lower: { field: "ranges" } });

const COHORTS = block("cohorts", "The bands that sort agents into a trait's low and high cohort (reports and per-cohort metrics).", [
  attr("low", NUM, "A trait at or below this is in its low cohort.", { key: "low", default: DEFAULT_COHORTS.low }),
  attr("high", NUM, "A trait at or above this is in its high cohort.", { key: "high", default: DEFAULT_COHORTS.high }),
], { lower: { field: "cohorts" } });

export const PERSONAS = block("personas", "How each agent's Big-Five traits are drawn around its persona's (the persona town's base plus seeded jitter), the cohort bands, and the placebo that deranges trait labels. Without this block every agent has exactly its persona's traits.", [
  attr("jitter", NUM, "Half-width of the uniform jitter added to each of the persona's traits (the persona town's `sampling.jitter`).", { key: "jitter", default: 0.2 }),
  attr("sampling", enumOf(SAMPLING), "independent: every agent's traits drawn on their own; latin_hypercube: each trait stratified across the agents of a population group.", { key: "sampling", default: "independent" }),
  attr("placebo", BOOL, "Every agent behaves by the traits of another (a seeded derangement) but is labelled, scored and reported by its own.", { key: "placebo", default: false }),
], { blocks: [RANGES, COHORTS], preset: true, lower: { slice: PERSONAS_SLICE, finish: checkPersonas } });

/** Agents that carry a persona: LLM agents and town residents. */
export function personaOf(params: unknown): Persona | null {
  const p = (params as { persona?: Persona } | null)?.persona;
  return p && typeof p === "object" && typeof p.name === "string" ? p : null;
}

function checkPersonas(slice: PlainValue | undefined, ctx: SliceContext): PlainValue | undefined {
  if (slice === undefined || ctx.written === null) return slice;
  const s = slice as Personas;
  const written = ctx.written;
  if (s.cohorts.low >= s.cohorts.high) {
    const cohorts = written.child("cohorts");
    ctx.report("SBX3205", { low: s.cohorts.low, high: s.cohorts.high }, cohorts ? cohorts.at("low") : written.at());
  }
  const ranges = written.child("ranges");
  for (const trait of TRAITS) {
    const r = s.ranges[trait];
    if (!r || !ranges) continue;
    const [lo, hi] = r.dist === "constant" ? [r.value, r.value] : [r.low, r.high];
    if (r.dist === "randint" || lo < -1 || hi > 1 || lo > hi) ctx.report("SBX3206", { trait, range: r.dist === "constant" ? String(r.value) : `${r.dist}(${lo}, ${hi})` }, ranges.at(trait));
  }
  const carriers = ctx.agents.filter((a) => personaOf(a.params) !== null).length;
  if (s.placebo && carriers < 2) ctx.report("SBX3201", { count: carriers }, written.at("placebo"));
  return slice;
}
