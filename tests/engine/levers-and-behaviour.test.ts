/**
 * Why a sweep of the transaction tax against the audit probability gave the
 * same mean toxicity in every cell (docs/agents.md, "Why levers did not move
 * toxicity"): scripted agents do not respond to payoffs, an interaction's
 * observables depend only on who initiates it, and the audit's default
 * threshold sits below what non-adversarial conduct can produce. These tests
 * hold the explanation to the code.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.ts";
import { runWithEvents, type InteractionRecord } from "../../src/engine/index.ts";
import { ProxyComputer, REFERENCE_PROXY } from "../../src/mechanisms/interactions/soft-labels.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText, STDLIB } from "../support/compiler.ts";
import { ROOT } from "../support/golden.ts";

const host = { stdlibDir: STDLIB, readFile: (p: string) => (existsSync(p) ? readFileSync(p, "utf8") : undefined) };

function baseline(sets: Record<string, string>): Plan {
  const c = compile(host, [join(ROOT, "scenarios/baseline.sbx")], { overrides: Object.entries({ profile: '"sbx"', ...sets }).map(([path, value]) => ({ path, value })) });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return c.scenarios[0]!.plan!;
}

const trace = (plan: Plan) => {
  const xs: InteractionRecord[] = [];
  const { result } = runWithEvents(plan, { onInteraction: (x) => xs.push(x) });
  return { who: xs.map((x) => [x.initiator, x.counterparty, x.accepted, x.p]), xs, result };
};

describe("levers over scripted agents", () => {
  it("change payoffs, but not one interaction: who meets whom, what is accepted and every p are the same for any tax and audit", () => {
    const cells = ["0%", "20%"].flatMap((tax) => ["0%", "40%"].map((audit) => trace(baseline({ "governance.transaction_tax.rate": tax, "governance.audit.probability": audit }))));
    for (const c of cells.slice(1)) expect(c.who).toEqual(cells[0]!.who);
    // The tax takes its share of every transfer, so welfare falls with it.
    const welfare = cells.map((c) => c.result.epochs.reduce((s, e) => s + (e.metrics.welfare as number), 0));
    expect(welfare[2]!).toBeLessThan(welfare[0]!);
    // The 40% audit looks at many interactions and fines almost none of them.
    const audited = cells[1]!.xs.filter((x) => x.audited);
    expect(audited.length).toBeGreaterThan(30);
    expect(audited.filter((x) => x.auditPenalty > 0).length / audited.length).toBeLessThan(0.05);
  });

  it("stop being so once agents learn: the audit changes the learners' mixed strategies", () => {
    const withAudit = (probability: string) => {
      const c = compileText(`scenario s {
        seed = 42  epochs = 10  steps = 10
        population { honest = 3  learner { count = 3  rule = hedge  learning_rate = 1 } }
        governance { audit { probability = ${probability}  threshold_p = 0.6 } }
      }`);
      return runWithEvents(c.scenarios[0]!.plan!).events.flatMap((e) => (e.type === "strategy_chosen" ? [e.probabilities] : []));
    };
    const lax = withAudit("0%");
    const strict = withAudit("40%");
    expect(strict[0]).toEqual(lax[0]); // the same start…
    expect(strict).not.toEqual(lax); // …and fines move the weights (docs/agents.md: by little, since fines are small)
  });
});

describe("the proxy's reach, as docs/agents.md states it", () => {
  const proxy = new ProxyComputer(REFERENCE_PROXY);
  const p = (taskProgress: number, rework: number, rejections: number, misuse: number, engagement: number) => proxy.labels({ taskProgress, rework, rejections, misuse, engagement })[1];

  it("gives honest conduct p ≥ 0.636, opportunistic ≥ 0.458, deceptive ≥ 0.498, and adversarial conduct p ≤ 0.53", () => {
    // The worst corner of each type's observables (src/mechanisms/interactions/observables.ts).
    expect(p(0.3, 1, 0, 0, 0.2)).toBeCloseTo(0.636, 3);
    expect(p(0.1, 2, 1, 0, -0.2)).toBeCloseTo(0.458, 3);
    expect(p(0.2, 2, 1, 0, 0.0)).toBeCloseTo(0.498, 3);
    // The best corner of adversarial conduct.
    expect(p(0.2, 1, 1, 0, -0.1)).toBeCloseTo(0.53, 2);
  });
});
