/** The `tasks` block and its plan slice (proposal expiry reads its `proposal_ttl`). */
import { z } from "zod";
import { nonNeg, nonNegInt, slice } from "../../spec/plan.ts";
import { attr, block, enumOf, INT, NUM, SWARM } from "../../spec/build.ts";

export const TASK_DIFFICULTIES = ["trivial", "easy", "medium", "hard", "expert"] as const;

export const Tasks = z.strictObject({
  /** New tasks posted at each epoch start (the reference never creates any). */
  perEpoch: nonNegInt,
  bounty: nonNeg,
  difficulty: z.enum(TASK_DIFFICULTIES),
  minReputation: z.number(),
  deadlineEpochs: nonNegInt,
  /** Proposals left unanswered for this many steps expire (0 = never). */
  proposalTtlSteps: nonNegInt,
});

export const TASKS_SLICE = slice(["tasks"], Tasks);

export const TASKS = block("tasks", "The task pool: tasks posted each epoch, claimed, worked, verified and paid.", [
  attr("per_epoch", INT, "Tasks posted at the start of each epoch.", { key: "perEpoch", default: 0, off: 0 }),
  attr("bounty", NUM, "Resources paid for a verified task.", { key: "bounty", default: 5.0, unit: "resources" }),
  attr("difficulty", enumOf(TASK_DIFFICULTIES), "Difficulty of posted tasks.", { key: "difficulty", default: "medium" }),
  attr("min_reputation", NUM, "Reputation needed to claim a task.", { key: "minReputation", default: 0.0 }),
  attr("deadline", { t: "duration", unit: "epochs" }, "Epochs a task stays open (0 = no deadline).", { key: "deadlineEpochs", default: 0, unit: "epochs" }),
  attr("proposal_ttl", { t: "duration", unit: "steps" }, "Steps an unanswered proposal stays pending (0 = forever).", { key: "proposalTtlSteps", default: 0, off: 0, unit: "steps" }),
], { inert: { profiles: SWARM, why: "the reference never creates tasks and proposals never expire" }, lower: { slice: TASKS_SLICE } });
