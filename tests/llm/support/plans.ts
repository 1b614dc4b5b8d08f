/** Plans with LLM agents, compiled from .sbx by the real compiler, then tuned (timeouts, prices, budget) as plain data. */
import { hasErrors } from "../../../src/diagnostics/diagnostic.ts";
import type { Plan } from "../../../src/plan/schema.ts";
import { compileText } from "../../support/compiler.ts";

export interface GroupSpec {
  readonly name: string;
  readonly provider: "anthropic" | "openai" | "ollama";
  readonly model?: string;
  readonly count?: number;
  readonly persona?: string;
  readonly fallback?: string;
  readonly maxRetries?: number;
}

export interface PlanSpec {
  readonly seed?: number;
  readonly epochs?: number;
  readonly steps?: number;
  readonly profile?: "sbx" | "swarm-0.1";
  readonly groups: readonly GroupSpec[];
  readonly honest?: number;
  readonly adversarial?: number;
  readonly maxActionsPerStep?: number;
}

const MODELS = { anthropic: "claude-3-haiku-20240307", openai: "gpt-4o-mini", ollama: "llama3" } as const;

export function scenarioText(spec: PlanSpec): string {
  const groups = spec.groups
    .map((g) => {
      const attrs = [
        `count = ${g.count ?? 1}`,
        `provider = ${g.provider}`,
        `model = "${g.model ?? MODELS[g.provider]}"`,
        ...(g.persona ? [`persona = ${g.persona}`] : []),
        ...(g.fallback ? [`fallback = ${g.fallback}`] : []),
        ...(g.maxRetries !== undefined ? [`max_retries = ${g.maxRetries}`] : []),
      ];
      return `    llm ${g.name} { ${attrs.join("  ")} }`;
    })
    .join("\n");
  const scripted = [...(spec.honest ? [`honest = ${spec.honest}`] : []), ...(spec.adversarial ? [`adversarial = ${spec.adversarial}`] : [])].join("   ");
  return `scenario llm_test {
  seed = ${spec.seed ?? 7}
  epochs = ${spec.epochs ?? 2}
  steps = ${spec.steps ?? 3}
  profile = "${spec.profile ?? "sbx"}"
  max_actions_per_step = ${spec.maxActionsPerStep ?? 100}
  population {
${groups}
    ${scripted}
  }
}
`;
}

export function compilePlan(text: string): Plan {
  const result = compileText(text);
  if (hasErrors(result.diagnostics)) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return result.scenarios[0]!.plan as Plan;
}

/** The plan, with every LLM agent's timeout (seconds) and the llm settings replaced as given. */
export function llmPlan(spec: PlanSpec, tune: { timeoutSeconds?: number; budgetUsd?: number | null; prices?: Plan["llm"]["prices"]; concurrency?: Partial<Plan["llm"]["concurrency"]> } = {}): Plan {
  const plan = compilePlan(scenarioText(spec));
  return {
    ...plan,
    agents: plan.agents.map((a) => (a.kind === "llm" && tune.timeoutSeconds !== undefined ? { ...a, params: { ...a.params, timeoutSeconds: tune.timeoutSeconds } } : a)),
    llm: {
      budgetUsd: tune.budgetUsd !== undefined ? tune.budgetUsd : plan.llm.budgetUsd,
      prices: tune.prices ?? plan.llm.prices,
      concurrency: { ...plan.llm.concurrency, ...tune.concurrency },
    },
  };
}
