/**
 * The task pool (docs/sandbox.md §6.3). Nothing creates tasks in swarm-0.1, so these paths
 * are dormant there, but agents read and act on the pool the reference's way.
 * In sbx (switch `taskCreation`) the orchestrator posts tasks each epoch and
 * runs their lifecycle: open → claimed → in_progress (work starts at the end
 * of the claiming step) → submitted → completed (verified, bounty paid) or
 * back to in_progress (verification failed); open tasks past their deadline
 * expire, unfinished claimed ones fail.
 */
import type { TASK_DIFFICULTIES } from "./language.ts";

export type TaskStatus = "open" | "claimed" | "in_progress" | "submitted" | "completed" | "failed" | "expired";
export type Difficulty = (typeof TASK_DIFFICULTIES)[number];

export interface Task {
  readonly id: number;
  readonly bounty: number;
  readonly difficulty: Difficulty;
  readonly minReputation: number;
  /** Epoch at which the task expires; null never (a deadline of 0 never expires, as in the reference). */
  readonly deadlineEpoch: number | null;
  status: TaskStatus;
  claimedBy: string | null;
  /** The last submission was a free ride (minimal effort): verification fails it. */
  minimalEffort: boolean;
}

const TERMINAL: ReadonlySet<TaskStatus> = new Set(["completed", "failed", "expired"]);

export class TaskPool {
  private readonly tasks: Task[] = [];
  /** Tasks not yet completed, failed or expired, in creation order: what every query scans. */
  private live: Task[] = [];

  create(bounty: number, difficulty: Difficulty, minReputation: number, deadlineEpoch: number | null): Task {
    const t: Task = { id: this.tasks.length, bounty, difficulty, minReputation, deadlineEpoch, status: "open", claimedBy: null, minimalEffort: false };
    this.tasks.push(t);
    this.live.push(t);
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

  /** Drops finished tasks from the live list. */
  private sweep(): void {
    this.live = this.live.filter((t) => !TERMINAL.has(t.status));
  }

  /** Open tasks the reputation qualifies for, highest bounty first (stable), at most `limit`. */
  claimable(reputation: number, epoch: number, limit = 10): Task[] {
    if (this.live.length === 0) return [];
    let expired = false;
    for (const t of this.live) {
      if (t.status === "open" && t.deadlineEpoch && epoch >= t.deadlineEpoch) {
        t.status = "expired";
        expired = true;
      }
    }
    if (expired) this.sweep();
    return this.live
      .filter((t) => this.available(t, epoch) && t.minReputation <= reputation)
      .sort((a, b) => b.bounty - a.bounty)
      .slice(0, limit);
  }

  /** Tasks claimed by the agent that are still being worked on. */
  activeFor(agent: string): Task[] {
    if (this.live.length === 0) return [];
    return this.live.filter((t) => t.claimedBy === agent && (t.status === "claimed" || t.status === "in_progress"));
  }

  claim(id: number, agent: string, reputation: number): boolean {
    const t = this.tasks[id];
    if (!t || !this.available(t, 0) || reputation < t.minReputation) return false;
    t.status = "claimed";
    t.claimedBy = agent;
    return true;
  }

  /**
   * submit_output by the claimant. The reference accepts it from any status;
   * `whileWorking` (sbx) only from claimed or in progress, so a finished task
   * cannot be submitted (and paid) again.
   */
  submit(id: number, agent: string, minimalEffort = false, whileWorking = false): boolean {
    const t = this.tasks[id];
    if (!t || t.claimedBy !== agent) return false;
    if (whileWorking && t.status !== "claimed" && t.status !== "in_progress") return false;
    t.status = "submitted";
    t.minimalEffort = minimalEffort;
    return true;
  }

  /** Live tasks in a status, in creation order. */
  withStatus(status: TaskStatus): Task[] {
    return this.live.filter((t) => t.status === status);
  }

  /** Work starts on a claimed task. */
  start(t: Task): void {
    t.status = "in_progress";
  }

  /** A verified submission completes the task; a failed one sends it back to work. */
  verify(t: Task, passed: boolean): void {
    t.status = passed ? "completed" : "in_progress";
    if (passed) this.sweep();
  }

  /**
   * Tasks past their deadline at the start of `epoch`: open ones expire,
   * claimed or in-progress (or submitted but unverified) ones fail.
   * Returns the tasks whose status changed.
   */
  closeOverdue(epoch: number): Task[] {
    const closed: Task[] = [];
    for (const t of this.live) {
      if (!t.deadlineEpoch || epoch < t.deadlineEpoch) continue;
      if (t.status === "open") t.status = "expired";
      else if (t.status === "claimed" || t.status === "in_progress" || t.status === "submitted") t.status = "failed";
      else continue;
      closed.push(t);
    }
    if (closed.length) this.sweep();
    return closed;
  }
}
