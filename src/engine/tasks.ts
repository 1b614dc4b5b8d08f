/**
 * The task pool (§6.3). Nothing creates tasks in swarm-0.1 (the switch
 * `taskCreation` is off in both profiles for now), so these paths are
 * dormant, but agents already read and act on the pool the reference's way.
 */
import type { Plan } from "../plan/schema.ts";

export type TaskStatus = "open" | "claimed" | "in_progress" | "submitted" | "completed" | "failed" | "expired";
export type Difficulty = Plan["tasks"]["difficulty"];

export interface Task {
  readonly id: number;
  readonly bounty: number;
  readonly difficulty: Difficulty;
  readonly minReputation: number;
  /** Epoch at which the task expires; null never (a deadline of 0 never expires, as in the reference). */
  readonly deadlineEpoch: number | null;
  status: TaskStatus;
  claimedBy: string | null;
}

export class TaskPool {
  private readonly tasks: Task[] = [];

  create(bounty: number, difficulty: Difficulty, minReputation: number, deadlineEpoch: number | null): Task {
    const t: Task = { id: this.tasks.length, bounty, difficulty, minReputation, deadlineEpoch, status: "open", claimedBy: null };
    this.tasks.push(t);
    return t;
  }

  get(id: number): Task | undefined {
    return this.tasks[id];
  }

  get size(): number {
    return this.tasks.length;
  }

  private available(t: Task, epoch: number): boolean {
    return t.status === "open" && !(t.deadlineEpoch && epoch >= t.deadlineEpoch);
  }

  /** Open tasks the reputation qualifies for, highest bounty first (stable), at most `limit`. */
  claimable(reputation: number, epoch: number, limit = 10): Task[] {
    if (this.tasks.length === 0) return [];
    for (const t of this.tasks) if (t.status === "open" && t.deadlineEpoch && epoch >= t.deadlineEpoch) t.status = "expired";
    return this.tasks
      .filter((t) => this.available(t, epoch) && t.minReputation <= reputation)
      .sort((a, b) => b.bounty - a.bounty)
      .slice(0, limit);
  }

  /** Tasks claimed by the agent that are still being worked on. */
  activeFor(agent: string): Task[] {
    if (this.tasks.length === 0) return [];
    return this.tasks.filter((t) => t.claimedBy === agent && (t.status === "claimed" || t.status === "in_progress"));
  }

  claim(id: number, agent: string, reputation: number): boolean {
    const t = this.tasks[id];
    if (!t || !this.available(t, 0) || reputation < t.minReputation) return false;
    t.status = "claimed";
    t.claimedBy = agent;
    return true;
  }

  submit(id: number, agent: string): boolean {
    const t = this.tasks[id];
    if (!t || t.claimedBy !== agent) return false;
    t.status = "submitted";
    return true;
  }
}
