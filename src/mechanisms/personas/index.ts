/**
 * Personas: each agent's Big-Five traits. A persona declaration gives the
 * base; the scenario's `personas` block draws every agent's own traits
 * around it at the start of the run (seeded jitter, per-trait ranges, Latin
 * hypercube), sorts agents into cohort bands, and — for a placebo arm —
 * makes each agent behave by another agent's traits through a seeded
 * derangement while it keeps its own as its label. Without the block every
 * agent has exactly its persona's traits and nothing is logged.
 *
 * Two views of an agent's traits: its *label* (what it is, scored and
 * reported by) and its *drive* (what its behaviour follows). They differ
 * only under the placebo.
 */
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import type { World } from "../../kernel/world.ts";
import { sliceOf } from "../../spec/plan.ts";
import { DEFAULT_COHORTS, PERSONA, PERSONAS, PERSONAS_SLICE, personaOf, type Traits } from "./language.ts";
import { cohortsOf, derangement, sampleGroup, ZERO_TRAITS } from "./sampling.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** An agent's traits, drawn at the start: `traits` its label; `drives`, under the placebo, the traits its behaviour follows. */
    persona_sampled: At & { agent: string; traits: Traits; drives?: Traits };
  }
}

function createPersonas(w: World) {
  const settings = w.slice(PERSONAS_SLICE);
  const pop = w.population;
  const personas = w.plan.agents.map((a) => personaOf(a.params));
  const labels: (Traits | null)[] = personas.map((p) => (p ? (p.traits ?? ZERO_TRAITS) : null));
  const drives: (Traits | null)[] = labels.slice();
  const cohorts = settings?.cohorts ?? DEFAULT_COHORTS;

  return {
    /** The run's cohort bands. */
    cohorts,
    /** The scenario's sampling settings (undefined: every agent has its persona's traits). */
    settings,
    /** The agent's persona (null: it has none). */
    persona: (idx: number) => personas[idx] ?? null,
    /** The traits the agent is labelled, scored and reported by (null: no persona). */
    label: (idx: number): Traits | null => labels[idx] ?? null,
    /** The traits the agent's behaviour follows (its label, except under the placebo). */
    drive: (idx: number): Traits | null => drives[idx] ?? null,
    /** The cohorts (`E:high`, …) the agent's label puts it in. */
    cohortsOf: (idx: number): string[] => {
      const t = labels[idx];
      return t ? cohortsOf(t, cohorts) : [];
    },

    start(): void {
      if (!settings) return;
      const rng = w.random.stream("personas");
      const groups = new Map<string, number[]>();
      w.plan.agents.forEach((a, i) => {
        if (!personas[i]) return;
        let g = groups.get(a.group);
        if (!g) groups.set(a.group, (g = []));
        g.push(i);
      });
      const label: Traits[] = [];
      const carriers: number[] = [];
      for (const members of groups.values()) {
        const drawn = sampleGroup(settings, members.map((i) => personas[i]!.traits ?? ZERO_TRAITS), rng);
        members.forEach((i, k) => {
          label[i] = drawn[k]!;
          carriers.push(i);
        });
      }
      carriers.sort((a, b) => a - b);
      const from = settings.placebo && carriers.length >= 2 ? derangement(carriers.length, rng) : null;
      carriers.forEach((i, k) => {
        const e: EventOf<"persona_sampled"> = { type: "persona_sampled", epoch: w.epoch, step: w.step, agent: pop.slots[i]!.id, traits: label[i]! };
        if (from) e.drives = label[carriers[from[k]!]!]!;
        w.emit(e);
      });
    },

    reduce: {
      persona_sampled: (e: EventOf<"persona_sampled">) => {
        const s = pop.byId.get(e.agent);
        if (!s) return;
        labels[s.idx] = e.traits;
        drives[s.idx] = e.drives ?? e.traits;
      },
    },
  };
}

export type Personas = ReturnType<typeof createPersonas>;

export const personas = mechanism({
  name: "personas",
  doc: "Each agent's Big-Five traits: its persona's, or drawn around them (jitter, ranges, Latin hypercube), with cohort bands and a placebo derangement.",
  plan: [PERSONAS_SLICE],
  language: [
    { under: "declarations", block: PERSONA },
    { under: "scenario", block: PERSONAS },
  ],
  create: createPersonas,
  problems: (plan) => (sliceOf(plan, PERSONAS_SLICE)?.placebo && plan.agents.filter((a) => personaOf(a.params)).length < 2 ? ["the placebo needs at least two agents with personas"] : []),
});
