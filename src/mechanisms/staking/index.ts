/**
 * Staking: an agent needs `min_stake` resources to act — below it its turn is
 * refused (and, in profile sbx, it cannot be proposed to). In profile sbx a
 * breach another lever detects (a circuit-breaker violation, a failed audit)
 * slashes `slash_rate` of the agent's resources into the public pool.
 */
import { STAKING, STAKING_SLICE } from "./language.ts";
import type { Violation } from "../../kernel/effect.ts";
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** Staking refused the agent's turn. */
    turn_blocked: At & { agent: string };
    /** Staking slashed `amount` of the agent's resources into the public pool for a violation (sbx). */
    stake_slashed: At & { agent: string; amount: number; violation: string };
  }
}

function createStaking(w: World) {
  // min_stake and slash_rate are read on use, not once: a parameter shock may change them mid-run.
  const stake = w.slice(STAKING_SLICE);
  const { enabled } = stake;
  const pop = w.population;
  const tally = { blocked: 0, slashed: 0 };
  const mayAct = (agent: AgentSlot): boolean => !enabled || agent.resources >= stake.minStake;
  return {
    tally,
    ...(enabled
      ? {
          mayAct,
          admit(agent: AgentSlot): boolean {
            if (mayAct(agent)) return true;
            w.emit({ type: "turn_blocked", epoch: w.epoch, step: w.step, agent: agent.id });
            return false;
          },
        }
      : {}),
    ...(enabled && w.semantics.slashing
      ? {
          onViolation(v: Violation): void {
            const s = pop.byId.get(v.agent);
            if (!s || !(s.resources > 0)) return;
            const amount = s.resources * stake.slashRate;
            if (!(amount > 0)) return;
            w.emit({ type: "stake_slashed", epoch: w.epoch, step: w.step, agent: v.agent, amount, violation: v.violation });
          },
        }
      : {}),
    reduce: {
      epoch_started: () => {
        tally.blocked = 0;
        tally.slashed = 0;
      },
      turn_blocked: () => {
        tally.blocked++;
      },
      stake_slashed: (e: EventOf<"stake_slashed">) => {
        const s = pop.byId.get(e.agent);
        if (s) pop.addResources(s, -e.amount);
        tally.slashed += e.amount;
      },
    },
  };
}

type Staking = ReturnType<typeof createStaking>;

export const staking = mechanism({
  name: "staking",
  doc: "Agents must hold a stake to act; violations slash it.",
  plan: [STAKING_SLICE],
  language: [{ under: "governance", block: STAKING }],
  create: createStaking,
  metrics: [
    series<Staking>("governance", "none", "flow", "governance.blocked", "count", "Agent turns refused by staking this epoch.", "|refused turns|", (m) => m.tally.blocked),
    series<Staking>("governance", "none", "flow", "governance.slashed", "resources", "Stake slashed this epoch (profile sbx: on circuit-breaker violations and failed audits).", "Σ resources·slash_rate", (m) => m.tally.slashed),
  ],
});
