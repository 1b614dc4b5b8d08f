/**
 * A learner's policy: it behaves as the scripted policy of the strategy it
 * plays this epoch. It keeps one scripted policy per strategy for the whole
 * run, and each learns from the outcomes of the epochs it was played in (its
 * trust in partners, a deceptive behaviour's trust-building), so a strategy
 * taken up again resumes where it left off. Which strategy it plays is
 * decided by the learning-agents mechanism
 * (src/mechanisms/learning-agents/index.ts) at each epoch's start.
 */
import type { Action } from "../../kernel/actions.ts";
import type { Outcome, Policy, PolicyContext, TurnView } from "../../kernel/policy.ts";
import type { Proposal } from "../../kernel/population.ts";
import { AdversarialPolicy } from "../scripted-agents/adversarial.ts";
import { DeceptivePolicy } from "../scripted-agents/deceptive.ts";
import { HonestPolicy } from "../scripted-agents/honest.ts";
import { OpportunisticPolicy } from "../scripted-agents/opportunistic.ts";
import { STRATEGIES, type LearnerParams, type Strategy } from "./language.ts";

/** The strategies a learner plays: those it writes, or all four when it writes none. */
export function playedStrategies(params: LearnerParams): Strategy[] {
  const written = STRATEGIES.filter((s) => params[s].written);
  return written.length ? written : [...STRATEGIES];
}

export class LearnerPolicy implements Policy {
  /** Its strategies, as indices into STRATEGIES. */
  readonly strategies: readonly number[];
  private readonly behaviours: Policy[];
  private current = 0;

  constructor(
    readonly id: string,
    readonly params: LearnerParams,
    ctx: PolicyContext,
  ) {
    const played = playedStrategies(params);
    this.strategies = played.map((s) => STRATEGIES.indexOf(s));
    this.behaviours = played.map((s): Policy => {
      switch (s) {
        case "honest":
          return new HonestPolicy(id, params.honest, ctx);
        case "opportunistic":
          return new OpportunisticPolicy(id, params.opportunistic, ctx);
        case "deceptive":
          return new DeceptivePolicy(id, params.deceptive, ctx);
        case "adversarial":
          return new AdversarialPolicy(id, params.adversarial, ctx);
      }
    });
  }

  /** Play the strategy at this position of `strategies` from now on. */
  play(position: number): void {
    this.current = position;
  }

  act(view: TurnView): Action {
    return this.behaviours[this.current]!.act(view);
  }

  accept(proposal: Proposal, view: TurnView): boolean {
    return this.behaviours[this.current]!.accept(proposal, view);
  }

  onOutcome(outcome: Outcome): void {
    this.behaviours[this.current]!.onOutcome(outcome);
  }
}
