/**
 * The core of an execution plan: what every run has, whatever mechanisms it
 * uses — its profile, its clock, its agents and groups, the selections its
 * metrics are observed under. Each mechanism adds its own slice (a zod
 * schema at a path of the plan, declared in its folder); src/plan composes
 * the whole plan from the core and the slices.
 */
import { z } from "zod";

export const PROFILES = ["sbx", "swarm-0.1"] as const;
export const Profile = z.enum(PROFILES);
export type Profile = z.infer<typeof Profile>;

export const int = z.number().int();
export const nonNegInt = z.number().int().min(0);
export const posInt = z.number().int().min(1);
export const prob = z.number().min(0).max(1);
export const nonNeg = z.number().min(0);

export const Simulation = z.strictObject({
  seed: int,
  epochs: nonNegInt,
  stepsPerEpoch: nonNegInt,
  schedule: z.enum(["round_robin", "random", "priority"]),
  maxActionsPerStep: nonNegInt,
  /** sync: agents act one after another against live state (the reference's run());
   *  async: every observation is built before any action executes (run_async). */
  mode: z.enum(["sync", "async"]),
});
export type Simulation = z.infer<typeof Simulation>;

export const INTERACTION_TYPES = ["reply", "vote", "trade", "collaboration"] as const;
export const InteractionType = z.enum(INTERACTION_TYPES);
export type InteractionType = z.infer<typeof InteractionType>;

/** A population group as declared: selection in criteria and reports goes through these names. */
export const Group = z.strictObject({
  name: z.string(),
  /** The declared kind: an agent kind, or the name of a user policy. */
  kind: z.string(),
  agentIds: z.array(z.string()),
});

/** A selection of agents (by kind, population group or id) or of interactions by their initiator. */
export const Selection = z.strictObject({
  by: z.enum(["kind", "group", "agent"]),
  name: z.string(),
});
export type Selection = z.infer<typeof Selection>;

/** Metric selections that criteria or reports need recorded per epoch, beyond the standard set. */
export const Observed = z.strictObject({ metric: z.string(), select: Selection });
export type Observed = z.infer<typeof Observed>;

/** One agent of the plan; its kind's mechanism owns the shape of `params`. */
export interface AgentEntry {
  readonly id: string;
  readonly kind: string;
  readonly group: string;
  readonly params: unknown;
}

/** What the kernel reads of every plan. */
export interface CorePlan {
  readonly scenario: { readonly name: string; readonly description: string; readonly motif: string };
  readonly profile: Profile;
  readonly simulation: Simulation;
  readonly agents: readonly AgentEntry[];
  readonly groups: readonly z.infer<typeof Group>[];
  readonly observe: readonly Observed[];
}

/**
 * Where a mechanism's slice sits in the plan, and its schema. An `optional`
 * slice is in a plan only when its block is written, so adding a mechanism
 * changes no existing plan, and no plan hash. (The reference's mechanisms'
 * slices are always there: that is plan format 1.)
 */
export interface SliceBinding<P extends readonly string[] = readonly string[], S extends z.ZodType = z.ZodType, O extends boolean = boolean> {
  readonly path: P;
  readonly schema: S;
  readonly optional: O;
}

/** Declares a slice that every plan holds, keeping its path's literal type (so the composed plan type knows where it sits). */
export function slice<const P extends readonly string[], S extends z.ZodType>(path: P, schema: S): SliceBinding<P, S, false> {
  return { path, schema, optional: false };
}

/** Declares a slice that a plan holds only when its block is written. */
export function optionalSlice<const P extends readonly string[], S extends z.ZodType>(path: P, schema: S): SliceBinding<P, S, true> {
  return { path, schema, optional: true };
}

/** The value of a slice in a plan (the plan was validated, so it is there — or, if optional, absent). */
export function sliceOf<S extends z.ZodType, O extends boolean>(plan: unknown, binding: SliceBinding<readonly string[], S, O>): O extends true ? z.infer<S> | undefined : z.infer<S> {
  let at = plan as Record<string, unknown> | undefined;
  for (const key of binding.path) at = at?.[key] as Record<string, unknown> | undefined;
  return at as O extends true ? z.infer<S> | undefined : z.infer<S>;
}
