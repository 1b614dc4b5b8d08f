/** The `missions` block (its `mission` templates and their `objective`s) and its plan slice, present only when the block is written. */
import { z } from "zod";
import { nonNeg, nonNegInt, optionalSlice, posInt, prob } from "../../spec/plan.ts";
import { attr, block, enabled, enumOf, INT, NUM, prob as probAttr, NAMES } from "../../spec/build.ts";

/** What an objective can be measured on: the contributions of a mission (the reference's target metrics). */
export const OBJECTIVE_METRICS = ["avg_p", "min_p", "total_count", "acceptance_rate", "total_welfare"] as const;
export type ObjectiveMetric = (typeof OBJECTIVE_METRICS)[number];

export const DISTRIBUTIONS = ["equal", "proportional", "shapley"] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

const positive = z.number().gt(0);

export const Objective = z.strictObject({ name: z.enum(OBJECTIVE_METRICS), target: z.number(), weight: positive });

export const MissionTemplate = z.strictObject({
  name: z.string(),
  /** Population groups or agent kinds that may propose and join it (null: every agent). */
  members: z.array(z.string()).nullable(),
  distribution: z.enum(DISTRIBUTIONS),
  reward: positive,
  /** Epochs from its proposal to its evaluation. */
  deadline: posInt,
  objectives: z.array(Objective),
});
export type MissionTemplate = z.infer<typeof MissionTemplate>;

export const Missions = z.strictObject({
  enabled: z.boolean(),
  maxActive: posInt,
  minParticipants: posInt,
  joinProbability: prob,
  effort: prob,
  adaptRate: prob,
  cost: nonNeg,
  exactShapleyUpTo: nonNegInt,
  missions: z.array(MissionTemplate),
});
export type Missions = z.infer<typeof Missions>;

export const MISSIONS_SLICE = optionalSlice(["missions"], Missions);

const OBJECTIVE = block("objective", `A measurable objective of a mission, named by the measure it sets a target on: ${OBJECTIVE_METRICS.join(", ")} (over the mission's contributions).`, [
  attr("target", NUM, "The value the measure must reach (≥) by the deadline.", { key: "target", default: 0.7, swarmField: "target_value" }),
  attr("weight", NUM, "The objective's weight in the mission's score.", { key: "weight", default: 1.0 }),
], { named: "required", repeatable: true, lower: { field: "objectives", list: true } });

const MISSION = block("mission", "A mission template: whenever none of its missions is open, an eligible agent proposes one, others join, and at its deadline it is judged against its objectives and its reward shared.", [
  attr("members", NAMES, "The population groups or agent kinds that may propose and join it; every agent when absent.", { key: "members", default: null }),
  attr("distribution", enumOf(DISTRIBUTIONS), "How a succeeded mission's reward is shared among its contributors: equally, in proportion to count × mean p, or by the reference's approximate Shapley value (leave-one-out).", { key: "distribution", default: "proportional", swarmField: "reward_distribution" }),
  attr("reward", NUM, "The reward pool shared when the mission succeeds.", { key: "reward", default: 50, unit: "resources", swarmField: "reward_pool" }),
  attr("deadline", { t: "duration", unit: "epochs" }, "Epochs from a mission's proposal to its evaluation.", { key: "deadline", default: 3, unit: "epochs", swarmField: "deadline_epoch" }),
], { named: "required", repeatable: true, blocks: [OBJECTIVE], lower: { field: "missions", list: true } });

export const MISSIONS = block("missions", "A mission economy: agents propose and join missions with measurable objectives; participants contribute work, judged by the proxy like task outputs, with an effort that adapts to what a contribution earns at the margin; succeeded missions share their reward.", [
  enabled(),
  attr("max_active", INT, "Missions open (proposed or active) at once.", { key: "maxActive", default: 5, swarmField: "max_active_missions" }),
  attr("min_participants", INT, "Participants a mission needs to become active; contributions count only while it is.", { key: "minParticipants", default: 2, swarmField: "min_participants" }),
  probAttr("join_probability", 0.5, "Chance per epoch that an agent outside every open mission joins one it may join.", { key: "joinProbability" }),
  probAttr("effort", 1.0, "Every agent's initial effort: the chance, each step, that a participant of an active mission contributes a unit of work.", { key: "effort" }),
  probAttr("adapt_rate", 0.1, "How far a participant's effort moves after each evaluated mission: up when one more contribution would have earned more than it costs, down otherwise (0: effort never changes).", { key: "adaptRate" }),
  attr("cost", NUM, "Resources a contribution costs its contributor.", { key: "cost", default: 0.5, unit: "resources" }),
  attr("exact_shapley_up_to", INT, "Missions with at most this many contributors also get their exact Shapley value, to measure the approximation's error (missions.shapley_error).", { key: "exactShapleyUpTo", default: 12, unit: "contributors" }),
], { blocks: [MISSION], enabledByPresence: true, lower: { slice: MISSIONS_SLICE, presence: "enabled" } });
