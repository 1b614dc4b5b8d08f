/** Town plans for tests: compiled from .sbx by the real compiler, then varied as plain data. */
import { Scheduler } from "../../src/engine/scheduler.ts";
import { hasErrors } from "../../src/diagnostics/diagnostic.ts";
import { townMechanism } from "../../src/mechanisms/town/index.ts";
import type { TownState } from "../../src/mechanisms/town/state.ts";
import { Plan } from "../../src/plan/schema.ts";
import type { SimEvent } from "../../src/engine/index.ts";
import type { RunResult } from "../../src/kernel/records.ts";
import { compileText } from "../support/compiler.ts";

export function compileTown(text: string): Plan {
  const result = compileText(text);
  if (hasErrors(result.diagnostics)) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return result.scenarios[0]!.plan!;
}

/** A small town: residents of three personas, two topics, a rule to enact, in the given environment. */
export function smallTownText(options: { environment?: string; residents?: number; epochs?: number; steps?: number; extra?: string; personas?: string } = {}): string {
  const n = options.residents ?? 9;
  const third = Math.max(1, Math.floor(n / 3));
  return `
persona calm { prompt = "calm"  traits { agreeableness = 0.5  conscientiousness = 0.4 } }
persona wild { prompt = "wild"  traits { neuroticism = 0.9  agreeableness = -0.8  extraversion = 0.6 } }
persona shy  { prompt = "shy"   traits { extraversion = -0.9  openness = 0.7 } }
scenario town_test {
  seed = 11
  epochs = ${options.epochs ?? 3}
  steps = ${options.steps ?? 4}
  max_actions_per_step = 200
  population {
    resident calm_ones { count = ${third}  persona = calm }
    resident wild_ones { count = ${third}  persona = wild }
    resident shy_ones  { count = ${n - 2 * third}  persona = shy }
  }
  ${options.personas ?? "personas { jitter = 0.3 }"}
  town {
    environment = ${options.environment ?? "research"}
    topic housing {}
    topic taxes { initial = uniform(-0.5, 0.5) }
    rule curfew { text = "No theft after dark"  action = steal  propensity = 0.5  cost = 1 }
    ${options.extra ?? ""}
  }
}
`;
}

/** Runs a plan, calling `check` with the town's live state after every event. */
export function runChecking(plan: Plan, check: (state: TownState, e: SimEvent) => void): { result: RunResult; events: SimEvent[] } {
  const events: SimEvent[] = [];
  let scheduler: Scheduler | null = null;
  scheduler = new Scheduler(Plan.parse(plan), {
    events: (e) => {
      events.push(e);
      const state = scheduler?.world.get(townMechanism).state;
      if (state) check(state, e);
    },
  });
  return { result: scheduler.run(), events };
}
