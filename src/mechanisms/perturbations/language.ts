/**
 * The `perturbations` block: shocks to test governance with, each with a
 * schedule (at an epoch, with a probability per step within a window of
 * epochs, or when a metric crosses a bound) and an optional recovery
 * (`heal_after`). Five kinds: dropout, signal corruption, parameter shocks
 * (any setting their mechanism reads during the run, checked as `--set`
 * checks it), network partitions and resource shocks.
 */
import { z } from "zod";
import { nonNegInt, optionalSlice, posInt, prob } from "../../spec/plan.ts";
import { attr, block, enumOf, INT, NUM, prob as probAttr } from "../../spec/build.ts";
import type { AttrSpec, BlockProblem, BlockSpec, BlockView } from "../../spec/types.ts";
import { ADAPTIVE_KINDS } from "../adaptive-agents/language.ts";
import { SCRIPTED_KINDS } from "../scripted-agents/language.ts";

/** Agent kinds a perturbation may single out. */
export const TARGET_KINDS = [...SCRIPTED_KINDS, "learner", ...ADAPTIVE_KINDS, "llm"] as const;
export const CORRUPTIONS = ["zero_out", "invert", "random", "sticky"] as const;
export const PARTITIONS = ["bisect", "isolate_type", "random_fragments"] as const;
export const RESOURCE_SHOCKS = ["drain", "redistribute", "inflate"] as const;

const Schedule = {
  name: z.string().nullable(),
  atEpoch: nonNegInt.nullable(),
  probabilityPerStep: prob,
  fromEpoch: nonNegInt,
  toEpoch: nonNegInt.nullable(),
  when: z.string().nullable(),
  above: z.number().nullable(),
  below: z.number().nullable(),
  healAfter: posInt.nullable(),
};
const Kind = z.enum(TARGET_KINDS).nullable();

export const Dropout = z.strictObject({ ...Schedule, fraction: prob, kind: Kind });
export const SignalCorruption = z.strictObject({ ...Schedule, mode: z.enum(CORRUPTIONS), fraction: prob, kind: Kind });
export const SettingChange = z.strictObject({ setting: z.string(), path: z.array(z.string()), value: z.union([z.number(), z.boolean(), z.string()]) });
export const ParameterShock = z.strictObject({ ...Schedule, changes: z.array(SettingChange) });
export const Partition = z.strictObject({ ...Schedule, mode: z.enum(PARTITIONS), kind: Kind, fragments: z.number().int().min(2) });
export const ResourceShock = z.strictObject({ ...Schedule, mode: z.enum(RESOURCE_SHOCKS), amount: prob, kind: Kind });

export const PerturbationsPlan = z.strictObject({
  baselineEpochs: posInt,
  recoveryBand: z.number().min(0),
  recoveryHold: posInt,
  dropout: z.array(Dropout),
  signalCorruption: z.array(SignalCorruption),
  parameterShock: z.array(ParameterShock),
  partition: z.array(Partition),
  resourceShock: z.array(ResourceShock),
});
export type PerturbationsPlan = z.infer<typeof PerturbationsPlan>;
export type ScheduleSpec = Pick<z.infer<typeof Dropout>, keyof typeof Schedule>;

export const PERTURBATIONS_SLICE = optionalSlice(["perturbations"], PerturbationsPlan);

const scheduleAttrs: AttrSpec[] = [
  attr("at_epoch", INT, "Start at the beginning of this epoch.", { key: "atEpoch", default: null, unit: "epochs" }),
  probAttr("probability_per_step", 0, "Start with this chance at the end of each step (from `from_epoch` until `to_epoch`), whenever it is not already under way.", { key: "probabilityPerStep" }),
  attr("from_epoch", INT, "First epoch in which `probability_per_step` may start it.", { key: "fromEpoch", default: 0, unit: "epochs" }),
  attr("to_epoch", INT, "Epoch from which `probability_per_step` no longer starts it (none: until the run ends).", { key: "toEpoch", default: null, unit: "epochs" }),
  attr("when", { t: "metric" }, "Start at an epoch's beginning when the previous epoch's value of this metric is `above` or `below` a bound (and it is not under way).", { key: "when", default: null }),
  attr("above", NUM, "With `when`: start when the metric was above this.", { key: "above", default: null }),
  attr("below", NUM, "With `when`: start when the metric was below this.", { key: "below", default: null }),
  attr("heal_after", { t: "duration", unit: "epochs" }, "Undo it at the beginning of the epoch this many epochs after the one it started in (none: it lasts to the end).", { key: "healAfter", default: null, unit: "epochs" }),
];

const kindAttr = (doc: string): AttrSpec => attr("kind", enumOf(TARGET_KINDS), doc, { key: "kind", default: null });

/** Exactly one schedule; a `when` with exactly one bound; a window that is not empty. */
function scheduleProblems(b: BlockView): BlockProblem[] {
  const out: BlockProblem[] = [];
  const when = b.written("when");
  const triggers = [b.written("at_epoch") && "at_epoch", (b.value("probability_per_step") as number) > 0 && "probability_per_step", when && "when"].filter((t): t is string => typeof t === "string");
  if (triggers.length !== 1) out.push({ code: "SBX3300", args: { found: triggers.length ? `it has ${triggers.join(" and ")}` : "it has none" }, attr: triggers[1] });
  const bounds = ["above", "below"].filter((k) => b.written(k));
  if (when && bounds.length !== 1) out.push({ code: "SBX3301", args: { found: bounds.length ? "`when` takes one bound: give `above` or `below`, not both" : "`when` needs a bound: add `above = …` or `below = …`" }, attr: "when" });
  if (!when && bounds.length) out.push({ code: "SBX3301", args: { found: `\`${bounds[0]}\` bounds the metric named by \`when\`, and there is none` }, attr: bounds[0] });
  const from = b.value("from_epoch") as number;
  const to = b.value("to_epoch") as number | null;
  if (to !== null && to <= from) out.push({ code: "SBX3307", args: { from, to }, attr: "to_epoch" });
  return out;
}

const perturbation = (kind: string, doc: string, attrs: AttrSpec[], field: string, more: Partial<BlockSpec> = {}, rules: (b: BlockView) => BlockProblem[] = () => []): BlockSpec =>
  block(kind, doc, [...scheduleAttrs, ...attrs], {
    named: "optional",
    repeatable: true,
    lower: { field, list: true },
    validate: (b) => [...scheduleProblems(b), ...rules(b)],
    ...more,
  });

export const DROPOUT = perturbation("dropout", "Agents drop out: they take no turns and cannot be proposed to until it heals.", [
  probAttr("fraction", 0.2, "Share of the agents (of `kind`, if given) that drop out, drawn when it starts.", { key: "fraction" }),
  kindAttr("Only agents of this kind drop out."),
], "dropout");

export const SIGNAL_CORRUPTION = perturbation("signal_corruption", "The proxy's observables of some agents' interactions are corrupted: zeroed, inverted, replaced by noise, or stuck at one reading.", [
  attr("mode", enumOf(CORRUPTIONS), "zero_out: every observable reads 0; invert: task progress and engagement change sign; random: uniform noise over each observable's range; sticky: the first reading after it starts repeats.", { key: "mode", default: "invert" }),
  probAttr("fraction", 1, "Share of the agents (of `kind`, if given) whose interactions it corrupts, drawn when it starts.", { key: "fraction" }),
  kindAttr("Only interactions initiated by agents of this kind are corrupted."),
], "signalCorruption");

export const PARAMETER_SHOCK = perturbation(
  "parameter_shock",
  "Settings change mid-run, written as dotted settings of the scenario (`governance.audit.probability = 40%`), checked as `--set` checks them; healing restores them.",
  [],
  "parameterShock",
  { settings: { field: "changes" } },
  (b) => (b.settings === 0 ? [{ code: "SBX3304", args: {} }] : []),
);

export const PARTITION = perturbation("partition", "The population splits: agents see and propose only within their fragment until it heals.", [
  attr("mode", enumOf(PARTITIONS), "bisect: two halves in registration order; isolate_type: agents of `kind` on their own; random_fragments: `fragments` random groups.", { key: "mode", default: "bisect" }),
  kindAttr("The kind isolate_type cuts off."),
  attr("fragments", INT, "How many groups random_fragments makes.", { key: "fragments", default: 2 }),
], "partition", {}, (b) => {
  const mode = b.value("mode");
  if (mode === "isolate_type" && b.value("kind") === null) return [{ code: "SBX3308", args: { what: "mode = isolate_type needs `kind`: the agent kind to cut off" }, attr: "mode" }];
  if (mode !== "isolate_type" && b.written("kind")) return [{ code: "SBX3308", args: { what: `\`kind\` only applies to mode = isolate_type, not ${String(mode)}` }, attr: "kind" }];
  return [];
});

export const RESOURCE_SHOCK = perturbation("resource_shock", "Resources move at once: drained, redistributed equally, or inflated.", [
  attr("mode", enumOf(RESOURCE_SHOCKS), "drain: each agent loses `amount` of its resources; redistribute: the agents' resources are pooled and shared equally; inflate: each gains `amount` of its resources.", { key: "mode", default: "drain" }),
  probAttr("amount", 0.5, "Share of each agent's resources drained or added.", { key: "amount" }),
  kindAttr("Only agents of this kind are affected."),
], "resourceShock", {}, (b) => (b.value("heal_after") !== null ? [{ code: "SBX3305", args: {}, attr: "heal_after" }] : []));

export const PERTURBATIONS = block(
  "perturbations",
  "Shocks that test governance: each kind of perturbation with its schedule and recovery. Every start and heal is logged, shown in the report, and measured by the perturbations.* metrics.",
  [
    attr("baseline", { t: "duration", unit: "epochs" }, "Epochs before a shock whose mean toxicity is its pre-shock level.", { key: "baselineEpochs", default: 5, unit: "epochs" }),
    attr("recovery_band", NUM, "Toxicity at most this far above its pre-shock level counts as recovered (below it is recovered too: toxicity is a harm).", { key: "recoveryBand", default: 0.03, unit: "probability" }),
    attr("recovery_hold", { t: "duration", unit: "epochs" }, "Epochs toxicity must stay within the band to count as recovered.", { key: "recoveryHold", default: 3, unit: "epochs" }),
  ],
  { blocks: [DROPOUT, SIGNAL_CORRUPTION, PARAMETER_SHOCK, PARTITION, RESOURCE_SHOCK], lower: { slice: PERTURBATIONS_SLICE } },
);
