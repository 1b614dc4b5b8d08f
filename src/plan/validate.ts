import { Plan, type Plan as PlanType } from "./schema.ts";

/**
 * Check a plan against the schema where it crosses a boundary (written, run, received).
 *
 * Without `jitless`, zod compiles a checking function (`new Function`) for every object schema the
 * first time it parses one, which pays back only over many parses; a process checks one plan, or a few,
 * and compiling them cost more than the check (`npm run bench:startup`). Same result either way.
 */
export function validatePlan(value: unknown): { plan: PlanType; problems: null } | { plan: null; problems: string[] } {
  const parsed = Plan.safeParse(value, { jitless: true });
  if (parsed.success) return { plan: parsed.data, problems: null };
  return { plan: null, problems: parsed.error.issues.map((i) => `${i.path.join(".") || "(plan)"}: ${i.message}`) };
}
