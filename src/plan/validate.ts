import { Plan, type Plan as PlanType } from "./schema.ts";

/** Check a plan against the schema where it crosses a boundary (written, run, received). */
export function validatePlan(value: unknown): { plan: PlanType; problems: null } | { plan: null; problems: string[] } {
  const parsed = Plan.safeParse(value);
  if (parsed.success) return { plan: parsed.data, problems: null };
  return { plan: null, problems: parsed.error.issues.map((i) => `${i.path.join(".") || "(plan)"}: ${i.message}`) };
}
