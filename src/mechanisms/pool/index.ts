/**
 * The public pool (profile sbx): where every governance charge lands —
 * taxes, audit penalties and real-time collusion costs of accepted
 * interactions, collusion fines, slashed stakes — so resources plus the pool
 * grow only by what interactions create and tasks pay. Nothing pays out of it
 * yet (docs/differences.md). Always 0 in swarm-0.1, which collects nothing.
 */
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";

function createPool() {
  const state = { balance: 0 };
  const collect = (e: { pool?: number }): void => {
    state.balance += e.pool ?? 0;
  };
  return {
    state,
    reduce: {
      interaction_completed: collect,
      resources_changed: collect,
      stake_slashed: (e: { amount: number }) => {
        state.balance += e.amount;
      },
    },
  };
}

type Pool = ReturnType<typeof createPool>;

export const pool = mechanism({
  name: "pool",
  doc: "The public pool that governance charges are paid into.",
  create: createPool,
  metrics: [
    series<Pool>("governance", "none", "stock", "governance.pool", "resources", "The public pool: taxes, audit penalties, collusion charges and slashed stakes collected since the run started (profile sbx; always 0 in swarm-0.1, which collects nothing).", "Σ charges", (m) => m.state.balance),
  ],
});
