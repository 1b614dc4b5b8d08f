/**
 * The execution plan: the only contract between the compiler and the engine.
 *
 * A plan is plain JSON. Every default is filled in by the compiler, so the
 * engine never invents a value. It is composed of the core every run has
 * (src/spec/plan.ts), each mechanism's slices and agent kinds (declared in
 * src/mechanisms/<name>), and what the CLI needs: criteria, outputs and
 * provenance. Field names are camelCase; the `.sbx` names they come from are
 * in the schema registry (src/registry).
 */
import { z } from "zod";
import type { AgentKind } from "../kernel/mechanism.ts";
import { MECHANISM_LIST, MECHANISMS } from "../mechanisms/index.ts";
import { Group, int, nonNegInt, Observed, posInt, prob, Profile, Selection, Simulation, type SliceBinding } from "../spec/plan.ts";

export const PLAN_FORMAT = "sbx-plan";
export const PLAN_VERSION = 1;

// The vocabulary every consumer of plans uses, wherever a mechanism declares it.
export { INTERACTION_TYPES, InteractionType, PROFILES, Profile, Selection, Simulation, Group, Observed } from "../spec/plan.ts";
export { Distribution, ObservableProfile, Payoff, Proxy } from "../mechanisms/interactions/language.ts";
export { AdversarialParams, DeceptiveParams, HonestParams, OpportunisticParams, SCRIPTED_KINDS, ScriptedKind, StochasticParams } from "../mechanisms/scripted-agents/language.ts";
export { LlmParams, Persona, PersonaTraits, Price } from "../mechanisms/llm-agents/language.ts";
export { LLM_PROVIDERS } from "../llm/types.ts";
export { Network, TOPOLOGIES } from "../mechanisms/network/language.ts";
export { TASK_DIFFICULTIES, Tasks } from "../mechanisms/tasks/language.ts";

// ---- criteria ------------------------------------------------------------------------

export const AGGREGATIONS = ["mean", "min", "max", "final", "first", "sum"] as const;
export const SEED_STATISTICS = ["share", "mean", "min", "max", "std", "lower", "upper"] as const;
export const COMPARISONS = ["<", "<=", ">", ">=", "==", "!="] as const;

export type CriterionExpr =
  | { op: "number"; value: number }
  | { op: "bool"; value: boolean }
  | { op: "metric"; metric: string; select: Selection | null }
  | { op: "aggregate"; fn: (typeof AGGREGATIONS)[number]; arg: CriterionExpr }
  | { op: "at"; epoch: number; arg: CriterionExpr }
  | { op: "temporal"; fn: "always" | "eventually"; from: number | null; until: number | null; arg: CriterionExpr }
  | { op: "compare"; cmp: (typeof COMPARISONS)[number]; left: CriterionExpr; right: CriterionExpr }
  | { op: "arith"; fn: "+" | "-" | "*" | "/"; left: CriterionExpr; right: CriterionExpr }
  | { op: "neg"; arg: CriterionExpr }
  | { op: "logic"; fn: "and" | "or"; left: CriterionExpr; right: CriterionExpr }
  | { op: "not"; arg: CriterionExpr }
  | { op: "seeds"; fn: (typeof SEED_STATISTICS)[number]; level: number; arg: CriterionExpr };

export const CriterionExpr: z.ZodType<CriterionExpr> = z.lazy(() =>
  z.discriminatedUnion("op", [
    z.strictObject({ op: z.literal("number"), value: z.number() }),
    z.strictObject({ op: z.literal("bool"), value: z.boolean() }),
    z.strictObject({ op: z.literal("metric"), metric: z.string(), select: Selection.nullable() }),
    z.strictObject({ op: z.literal("aggregate"), fn: z.enum(AGGREGATIONS), arg: CriterionExpr }),
    z.strictObject({ op: z.literal("at"), epoch: nonNegInt, arg: CriterionExpr }),
    z.strictObject({
      op: z.literal("temporal"),
      fn: z.enum(["always", "eventually"]),
      from: nonNegInt.nullable(),
      until: nonNegInt.nullable(),
      arg: CriterionExpr,
    }),
    z.strictObject({ op: z.literal("compare"), cmp: z.enum(COMPARISONS), left: CriterionExpr, right: CriterionExpr }),
    z.strictObject({ op: z.literal("arith"), fn: z.enum(["+", "-", "*", "/"]), left: CriterionExpr, right: CriterionExpr }),
    z.strictObject({ op: z.literal("neg"), arg: CriterionExpr }),
    z.strictObject({ op: z.literal("logic"), fn: z.enum(["and", "or"]), left: CriterionExpr, right: CriterionExpr }),
    z.strictObject({ op: z.literal("not"), arg: CriterionExpr }),
    z.strictObject({ op: z.literal("seeds"), fn: z.enum(SEED_STATISTICS), level: prob, arg: CriterionExpr }),
  ]),
);

export const SourceRange = z.strictObject({
  file: z.string(),
  line: posInt,
  column: posInt,
  endLine: posInt,
  endColumn: posInt,
});
export type SourceRange = z.infer<typeof SourceRange>;

export const Criterion = z.strictObject({
  id: z.string(),
  /** The criterion as written, or its label. */
  label: z.string(),
  expr: CriterionExpr,
  /** True when the expression aggregates over seeds (seeds.share(...), seeds.upper(...), ...). */
  overSeeds: z.boolean(),
});
export type Criterion = z.infer<typeof Criterion>;

export const Criteria = z.strictObject({
  /** Seeds the criteria are judged over; empty means the scenario's own seed. */
  seeds: z.array(int),
  items: z.array(Criterion),
});

export const Outputs = z.strictObject({
  eventLog: z.string().nullable(),
  metricsCsv: z.string().nullable(),
});

// ---- composition ----------------------------------------------------------------------

type Mechanism = (typeof MECHANISM_LIST)[number];
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** `{ a: { b: T } }` for the path ["a", "b"]; the last key optional for an optional slice. */
type Nest<P, T, O> = P extends readonly [infer H extends string]
  ? O extends true
    ? { [K in H]?: T }
    : { [K in H]: T }
  : P extends readonly [infer H extends string, ...infer R]
    ? { [K in H]: Nest<R, T, O> }
    : T;
type SliceValue<B> = B extends SliceBinding<infer P, infer S, infer O> ? Nest<P, z.infer<S>, O> : never;
/** Every mechanism's slices, each at its path. */
type Slices = UnionToIntersection<Mechanism extends { plan: readonly (infer B)[] } ? SliceValue<B> : never>;
type KindsOf<M> = M extends { agents: infer A } ? A : never;
/** One plan agent of each kind a mechanism provides. */
type AgentOf<A> = { [K in keyof A]: A[K] extends AgentKind<infer S> ? { id: string; kind: K; group: string; params: z.infer<S> } : never }[keyof A];
export type Agent = AgentOf<UnionToIntersection<KindsOf<Mechanism>>>;
export type AgentKindName = Agent["kind"];

/** An object schema of the slices at their paths, in mechanism order. */
function slicesSchema(bindings: readonly SliceBinding[]): Record<string, z.ZodType> {
  interface Tree {
    [key: string]: Tree | z.ZodType;
  }
  const tree: Tree = {};
  for (const { path, schema, optional } of bindings) {
    let at = tree;
    path.slice(0, -1).forEach((key) => (at = (at[key] ??= {}) as Tree));
    at[path[path.length - 1]!] = optional ? schema.optional() : schema;
  }
  const build = (t: Tree): Record<string, z.ZodType> => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v instanceof z.ZodType ? v : z.strictObject(build(v))]));
  return build(tree);
}

const agentKinds = MECHANISMS.flatMap((m) => Object.entries(m.agents ?? {}));
const AgentSchema = z.discriminatedUnion(
  "kind",
  agentKinds.map(([kind, k]) => z.strictObject({ id: z.string(), kind: z.literal(kind), group: z.string(), params: k.params })) as unknown as [z.ZodObject, ...z.ZodObject[]],
);
export const Agent = AgentSchema as unknown as z.ZodType<Agent>;

type Body = {
  format: typeof PLAN_FORMAT;
  planVersion: typeof PLAN_VERSION;
  scenario: { name: string; description: string; motif: string };
  profile: Profile;
  simulation: z.infer<typeof Simulation>;
  agents: Agent[];
  groups: z.infer<typeof Group>[];
  criteria: z.infer<typeof Criteria>;
  observe: Observed[];
  outputs: z.infer<typeof Outputs>;
} & Slices;
export type PlanBody = Body;

export const PlanBody = z.strictObject({
  format: z.literal(PLAN_FORMAT),
  planVersion: z.literal(PLAN_VERSION),
  scenario: z.strictObject({ name: z.string(), description: z.string(), motif: z.string() }),
  profile: Profile,
  simulation: Simulation,
  ...slicesSchema(MECHANISMS.flatMap((m) => m.plan ?? [])),
  agents: z.array(AgentSchema),
  groups: z.array(Group),
  criteria: Criteria,
  observe: z.array(Observed),
  outputs: Outputs,
}) as unknown as z.ZodObject<{ [K in keyof Body]: z.ZodType<Body[K]> }>;

/** Where the plan came from. Not part of the plan hash: moving a file does not change what runs. */
export const Provenance = z.strictObject({
  sbxVersion: z.string(),
  sources: z.array(z.string()),
  criteria: z.record(z.string(), SourceRange),
});

export type Plan = Body & { provenance: z.infer<typeof Provenance> };
export const Plan = PlanBody.extend({ provenance: Provenance }) as unknown as z.ZodType<Plan> & { shape: Record<string, z.ZodType> };

export type Governance = Plan["governance"];
export type Observed2 = Observed;

export function planJsonSchema(): unknown {
  return z.toJSONSchema(Plan, { target: "draft-2020-12" });
}
