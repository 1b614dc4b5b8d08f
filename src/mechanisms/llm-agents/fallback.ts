/**
 * The scripted agent an LLM agent falls back on (`fallback = honest` …),
 * with that kind's default parameters as the schema registry declares them,
 * so a fallback behaves exactly like a default agent of that kind.
 */
import { AdversarialParams, DeceptiveParams, HonestParams, OpportunisticParams, type Agent, type ScriptedKind } from "../../plan/schema.ts";
import { ADVERSARIAL, DECEPTIVE, HONEST, OPPORTUNISTIC } from "../../registry/blocks.ts";
import type { BlockSpec } from "../../registry/types.ts";

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function defaults(block: BlockSpec): Record<string, unknown> {
  return Object.fromEntries(block.attrs.filter((a) => a.name !== "count").map((a) => [camel(a.name), a.default]));
}

/** The plan entry of a default scripted agent of `kind`, standing in for LLM agent `id`. */
export function fallbackAgent(kind: ScriptedKind, id: string, group: string): Agent {
  switch (kind) {
    case "honest":
      return { id, kind, group, params: HonestParams.parse(defaults(HONEST)) };
    case "opportunistic":
      // risk_tolerance is not a language attribute; the compiler always lowers 0.6 (the reference's default).
      return { id, kind, group, params: OpportunisticParams.parse({ riskTolerance: 0.6, ...defaults(OPPORTUNISTIC) }) };
    case "deceptive":
      return { id, kind, group, params: DeceptiveParams.parse(defaults(DECEPTIVE)) };
    case "adversarial":
      return { id, kind, group, params: AdversarialParams.parse(defaults(ADVERSARIAL)) };
  }
}
