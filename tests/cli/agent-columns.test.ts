/** An epoch's agents sent as columns (src/cli/agent-columns.ts) come back as the very records sent. */
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromColumns, toColumns } from "../../src/cli/agent-columns.ts";
import { compileForRun } from "../../src/cli/run-command.ts";
import { runPlan, type AgentRecord } from "../../src/engine/index.ts";
import { ROOT } from "../support/golden.ts";

/** Keys in order, and each value to the bit (Object.is tells -0 from 0 and NaN from nothing). */
function sameRecords(a: readonly AgentRecord[], b: readonly AgentRecord[]): void {
  expect(b.length).toBe(a.length);
  a.forEach((x, i) => {
    const y = b[i]!;
    expect(Object.keys(y)).toEqual(Object.keys(x));
    for (const k of Object.keys(x) as (keyof AgentRecord)[]) if (!Object.is(x[k], y[k])) throw new Error(`agent ${i}: ${k} was ${String(x[k])}, came back ${String(y[k])}`);
  });
}

/** A structured clone, as postMessage makes, of the columns. */
const sent = <T>(v: T): T => structuredClone(v);

const name = fc.oneof(fc.string(), fc.constantFrom("honest_1", "honest", "g", ""));
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, 2 ** 53));
const record = fc
  .record({ id: name, kind: name, group: name, reputation: number, resources: number, payoff: number, frozen: fc.boolean(), interactionsInitiated: number, interactionsReceived: number, interactionsRejected: fc.option(number, { nil: undefined }) })
  .map(({ interactionsRejected, ...rest }) => (interactionsRejected === undefined ? rest : { ...rest, interactionsRejected }) as AgentRecord);

describe("agent columns", () => {
  it("give back any records of the engine's shape exactly, with or without the plan's names", () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), fc.boolean(), (agents, declaredAsRun) => {
        // The plan's agents: those of the run (names left out of the columns), or others (names sent).
        const declared = declaredAsRun ? agents.map((a) => ({ id: a.id, kind: a.kind, group: a.group })) : agents.map((a) => ({ id: `${a.id}'`, kind: a.kind, group: a.group }));
        const columns = toColumns(agents, declared);
        expect(columns).not.toBeNull();
        expect(columns!.names === null).toBe(declaredAsRun || agents.length === 0);
        sameRecords(agents, fromColumns(sent(columns!), declared));
      }),
      { numRuns: 300 },
    );
  });

  it("send a real run's agents without their names, and rebuild them with the plan's strings", () => {
    const compiled = compileForRun(join(ROOT, "scenarios/status_game.sbx"), { epochs: "3" });
    if ("exit" in compiled) throw new Error("status_game does not compile");
    const result = runPlan(compiled.plan);
    for (const epoch of result.epochs) {
      const columns = toColumns(epoch.agents, compiled.plan.agents);
      expect(columns?.names).toBeNull();
      const back = fromColumns(sent(columns!), compiled.plan.agents);
      sameRecords(epoch.agents, back);
      expect(back[0]!.id).toBe(compiled.plan.agents[0]!.id);
    }
  });

  it("refuse records of another shape (extra or missing keys, other types, another order)", () => {
    const base: AgentRecord = { id: "a", kind: "honest", group: "g", reputation: 1, resources: 2, payoff: 3, frozen: false, interactionsInitiated: 4, interactionsReceived: 5, interactionsRejected: 0 };
    const declared = [{ id: "a", kind: "honest", group: "g" }];
    expect(toColumns([base], declared)).not.toBeNull();
    const { payoff: _payoff, ...missing } = base;
    const { id, ...rest } = base;
    for (const odd of [{ ...base, extra: 1 }, missing, { ...rest, id }, { ...base, frozen: 0 }, { ...base, reputation: "1" }, Object.assign(Object.create({ inherited: 1 }) as object, base)]) {
      expect(toColumns([odd as unknown as AgentRecord], declared)).toBeNull();
    }
  });
});
