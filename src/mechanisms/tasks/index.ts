/**
 * Tasks (docs/sandbox.md §6.3). In profile sbx `per_epoch` tasks are posted at each epoch's
 * start, claimed (within the rate limit), started at the end of the claiming
 * step, submitted, and verified at the end of the step: the work is judged by
 * the proxy — observables drawn for the claimant as for an interaction it
 * initiates, on the `tasks` stream — and passes when p reaches the task's
 * difficulty bar; a free ride always fails. A pass pays the bounty into the
 * claimant's resources; a failure sends the task back to work. Overdue open
 * tasks expire and unfinished ones fail. In swarm-0.1 nothing creates tasks,
 * but agents read and act on the pool the reference's way.
 */
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { TurnView } from "../../kernel/policy.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import { interactions } from "../interactions/index.ts";
import { TASKS, TASKS_SLICE } from "./language.ts";
import { TaskPool, type Task } from "./pool.ts";

declare module "../../kernel/actions.ts" {
  interface ActionMap {
    claim_task: { readonly kind: "claim_task"; readonly taskId: number };
    /** `effort: "minimal"` marks a free ride, which task verification fails (sbx). */
    submit_output: { readonly kind: "submit_output"; readonly taskId: number; readonly content: string; readonly effort?: "full" | "minimal" };
  }
}

declare module "../../kernel/events.ts" {
  interface EventMap {
    task_created: At & { task: number; bounty: number; difficulty: string; minReputation: number; deadline: number | null };
    task_claimed: At & { task: number; agent: string };
    task_started: At & { task: number; agent: string };
    output_submitted: At & { task: number; agent: string };
    task_verified: At & { task: number; agent: string; p: number; passed: boolean; bounty: number };
    task_closed: At & { task: number; status: "expired" | "failed" };
  }
}

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** Open tasks this agent's reputation qualifies for, best bounty first. */
    availableTasks(): readonly Task[];
    /** Tasks this agent has claimed and is still working on. */
    activeTasks(): readonly Task[];
  }
}

const NO_TASKS: readonly Task[] = [];

/**
 * The p a submission needs to pass verification: 0.5 for a medium task, 0.1
 * lower or higher per difficulty step (the honest policy's ranking trivial 1
 * … expert 5), so harder tasks need better work.
 */
export function verificationBar(difficulty: Task["difficulty"]): number {
  const rank = { trivial: 1, easy: 2, medium: 3, hard: 4, expert: 5 }[difficulty];
  return 0.5 + 0.1 * (rank - 3);
}

function createTasks(w: World) {
  const spec = w.slice(TASKS_SLICE);
  const live = w.semantics.taskCreation;
  const pool = new TaskPool();
  const pop = w.population;
  const tally = { created: 0, completed: 0, bountyPaid: 0 };
  const rng = w.random.stream("tasks");

  /** Epoch start: close overdue tasks, then post this epoch's. */
  function post(): void {
    const at = w.at();
    for (const t of pool.closeOverdue(w.epoch)) w.emit({ type: "task_closed", epoch: at.epoch, step: at.step, task: t.id, status: t.status as "expired" | "failed" });
    for (let i = 0; i < spec.perEpoch; i++) {
      const deadline = spec.deadlineEpochs > 0 ? w.epoch + spec.deadlineEpochs : null;
      const t = pool.create(spec.bounty, spec.difficulty, spec.minReputation, deadline);
      w.emit({ type: "task_created", epoch: at.epoch, step: at.step, task: t.id, bounty: t.bounty, difficulty: t.difficulty, minReputation: t.minReputation, deadline });
    }
  }

  /** End of step: verify this step's submissions, then start work on this step's claims. */
  function advance(): void {
    const at = w.at();
    const judge = w.get(interactions);
    for (const t of pool.withStatus("submitted")) {
      const agent = pop.byId.get(t.claimedBy as string) as AgentSlot;
      const [, p] = judge.proxy.labels(judge.observe(agent, true, rng));
      const passed = !t.minimalEffort && p >= verificationBar(t.difficulty);
      pool.verify(t, passed);
      w.emit({ type: "task_verified", epoch: at.epoch, step: at.step, task: t.id, agent: agent.id, p, passed, bounty: passed ? t.bounty : 0 });
    }
    for (const t of pool.withStatus("claimed")) {
      pool.start(t);
      w.emit({ type: "task_started", epoch: at.epoch, step: at.step, task: t.id, agent: t.claimedBy as string });
    }
  }

  return {
    tally,
    turn: {
      availableTasks(this: TurnView): readonly Task[] {
        return pool.size ? pool.claimable(this.self.reputation, w.epoch) : NO_TASKS;
      },
      activeTasks(this: TurnView): readonly Task[] {
        return pool.size ? pool.activeFor(this.self.id) : NO_TASKS;
      },
    },
    actions: {
      claim_task(actor: AgentSlot, action: { taskId: number }): boolean {
        if (!pool.claim(action.taskId, actor.id, actor.reputation)) return false;
        w.emit({ type: "task_claimed", epoch: w.epoch, step: w.step, task: action.taskId, agent: actor.id });
        return true;
      },
      submit_output(actor: AgentSlot, action: { taskId: number; effort?: "full" | "minimal" }): boolean {
        if (!pool.submit(action.taskId, actor.id, action.effort === "minimal", live)) return false;
        w.emit({ type: "output_submitted", epoch: w.epoch, step: w.step, task: action.taskId, agent: actor.id });
        return true;
      },
    },
    ...(live
      ? {
          epochStart: post,
          stepEnd(): void {
            if (pool.size) advance();
          },
        }
      : {}),
    reduce: {
      epoch_started: () => {
        tally.created = 0;
        tally.completed = 0;
        tally.bountyPaid = 0;
      },
      task_created: () => {
        tally.created++;
      },
      task_verified: (e: EventOf<"task_verified">) => {
        if (!e.passed) return;
        const s = pop.byId.get(e.agent);
        if (s) pop.addResources(s, e.bounty);
        tally.completed++;
        tally.bountyPaid += e.bounty;
      },
    },
  };
}

type Tasks = ReturnType<typeof createTasks>;

export const tasks = mechanism({
  name: "tasks",
  doc: "The task pool: tasks posted each epoch, claimed, worked, verified and paid.",
  plan: [TASKS_SLICE],
  language: [{ under: "scenario", block: TASKS }],
  create: createTasks,
  metrics: [
    series<Tasks>("tasks", "none", "flow", "tasks.created", "count", "Tasks posted this epoch.", "|new tasks|", (m) => m.tally.created),
    series<Tasks>("tasks", "none", "flow", "tasks.completed", "count", "Tasks verified and paid this epoch.", "|completed tasks|", (m) => m.tally.completed),
    series<Tasks>("tasks", "none", "flow", "tasks.bounty_paid", "resources", "Bounties paid this epoch.", "Σ bounty", (m) => m.tally.bountyPaid),
  ],
});
