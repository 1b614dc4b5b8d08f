/**
 * Large populations: every output of a run (summary, agents.csv, summary.json,
 * report.html) stays linear in the agents, never overflows the stack, and the
 * report stays bounded in size: above PER_AGENT_CHART_LIMIT agents its
 * per-agent charts become quantiles per kind, and it says so. Plans of 1k, 10k
 * and 100k agents are generated and run for one short epoch; timing belongs
 * to `npm run bench` (--out), not here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileForRun, renderSummary } from "../../src/cli/run-command.ts";
import { byKind } from "../../src/report/summary.ts";
import { agentsCsv } from "../../src/cli/run-writer.ts";
import { evaluateCriteria } from "../../src/criteria/evaluate.ts";
import { runWithEvents } from "../../src/engine/index.ts";
import { freezeIntervals, renderReport, type ReportInput } from "../../src/report/index.ts";
import { AGENT_TABLE_EXTREMES, PER_AGENT_CHART_LIMIT, PER_AGENT_POINT_LIMIT, spread } from "../../src/report/model.ts";
import { sbx } from "../support/cli.ts";

const work = mkdtempSync(join(tmpdir(), "sbx-large-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A scenario of `agents` agents in the usual mix; a small world and a trigger-happy circuit breaker exercise freezes and the network. */
function scenarioText(agents: number, options: { epochs?: number; steps?: number; network?: boolean } = {}): string {
  const honest = Math.round(agents * 0.4);
  const opportunistic = Math.round(agents * 0.3);
  const deceptive = Math.round(agents * 0.2);
  const adversarial = agents - honest - opportunistic - deceptive;
  return `scenario crowd {
  seed = 11
  epochs = ${options.epochs ?? 1}
  steps = ${options.steps ?? 1}
  max_actions_per_step = ${agents}
  population { honest = ${honest}  opportunistic = ${opportunistic}  deceptive = ${deceptive}  adversarial = ${adversarial} }
  governance { circuit_breaker { toxicity = 0.3  violations = 1  freeze = 2 epochs } }
  ${options.network ? "network { topology = small_world  k_neighbors = 4  rewire_probability = 0.1 }" : ""}
  expect { toxicity_bound: mean(toxicity) <= 1.0 }
}
`;
}

function generated(agents: number, options: { epochs?: number; steps?: number; network?: boolean } = {}): ReportInput {
  const file = join(work, `crowd-${agents}-${options.network ? "net" : "plain"}.sbx`);
  writeFileSync(file, scenarioText(agents, options));
  const compiled = compileForRun(file, {});
  if ("exit" in compiled) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  const { result, events } = runWithEvents(compiled.plan);
  return { plan: compiled.plan, result, verdicts: evaluateCriteria(compiled.plan, [result]), freezes: freezeIntervals(events) };
}

const chartsOf = (html: string) => [...html.matchAll(/<figure class="chart" data-chart="([^"]+)"/g)].map((m) => m[1]);
/** The agents the per-agent table lists, in its order. */
const agentRows = (html: string) => [...(/By agent, at the end of the run[^]*?<tbody>([^]*?)<\/tbody>/.exec(html)?.[1] ?? "").matchAll(/<tr><th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]);

describe("large populations", () => {
  for (const agents of [1_000, 10_000, 100_000]) {
    it(`${agents} agents: a bounded report with quantiles per kind, and linear summaries`, async () => {
      const input = generated(agents, { network: agents <= 10_000 });
      const { result, plan } = input;
      expect(result.agents).toHaveLength(agents);

      const html = await renderReport(input);
      expect(chartsOf(html)).toEqual(expect.arrayContaining(["payoff-by-agent", "reputation", "payoff-by-kind"]));
      expect(html).toContain(`Final cumulative payoff of the ${agents} agents, too many for a bar each`);
      expect(html).toContain(`Reputation of the ${agents} agents at the end of each epoch, too many for a line each`);
      expect(html).toContain(`the ${AGENT_TABLE_EXTREMES} highest and ${AGENT_TABLE_EXTREMES} lowest payoffs of ${agents} agents (agents.csv lists them all)`);
      // The two ends of the payoff ranking (ties in registration order), as a full sort would give them.
      const ranked = result.agents.map((a, i) => ({ a, i })).sort((x, y) => y.a.payoff - x.a.payoff || x.i - y.i);
      const ends = [...ranked.slice(0, AGENT_TABLE_EXTREMES), ...ranked.slice(-AGENT_TABLE_EXTREMES)].map((r) => r.a.id);
      expect(agentRows(html)).toEqual(ends);
      // Bounded: the page does not grow with the population.
      expect(html.length).toBeLessThan(400_000);
      if (plan.network) expect(html).toContain("too many to draw one by one");

      // byKind in one pass equals the sums per kind, in first-appearance order.
      const kinds = byKind(result.agents, plan);
      expect(kinds.map((k) => k.kind)).toEqual(["honest", "opportunistic", "deceptive", "adversarial"]);
      expect(kinds.reduce((s, k) => s + k.agents, 0)).toBe(agents);
      for (const k of kinds) {
        const members = result.agents.filter((a) => a.kind === k.kind);
        expect(k.agents).toBe(members.length);
        expect(k.totalPayoff).toBe(members.reduce((s, a) => s + a.payoff, 0));
        expect(k.frozen).toBe(members.filter((a) => a.frozen).length);
      }
      expect(agentsCsv(result.agents).split("\n")).toHaveLength(agents + 2);

      // The terminal summary names a screenful of frozen agents at most.
      const frozenLine = renderSummary(plan, result).split("\n").find((l) => l.startsWith("frozen at the end: ")) ?? "";
      expect(frozenLine.length).toBeLessThan(1000);
    }, 120_000);
  }

  it("draws per-agent charts up to the limit and quantiles just above it", async () => {
    const at = await renderReport(generated(PER_AGENT_CHART_LIMIT));
    expect(at).toContain("Final cumulative payoff of every agent");
    expect(at).not.toContain("too many for a bar each");
    const above = await renderReport(generated(PER_AGENT_CHART_LIMIT + 1));
    expect(above).toContain(`Final cumulative payoff of the ${PER_AGENT_CHART_LIMIT + 1} agents, too many for a bar each`);
  });

  it("draws reputation as bands when a few agents live through many epochs", async () => {
    const input = generated(20, { epochs: 1_001 });
    const html = await renderReport(input);
    expect(html).toContain(`Reputation of the 20 agents at the end of each epoch, too many points for a line each (more than ${PER_AGENT_POINT_LIMIT} agent-epochs)`);
    expect(html).toContain("Final cumulative payoff of every agent");
  });

  it("counts frozen agents per epoch when too many were frozen to list", async () => {
    const input = generated(2_000, { epochs: 2, steps: 2 });
    const frozen = new Set(input.freezes!.map((f) => f.agent)).size;
    expect(frozen).toBeGreaterThan(100);
    const html = await renderReport(input);
    expect(html).toContain(`of ${frozen} agents, too many for a row each`);
    expect(html).toMatch(/Freezes: the first 200 of \d+, by agent in registration order/);
  });

  it("computes quantiles by linear interpolation", () => {
    expect(spread([])).toBeNull();
    expect(spread([4, 1, 3, 2, 5])).toEqual({ count: 5, min: 1, p10: 1.4, p25: 2, median: 3, p75: 4, p90: 4.6, max: 5 });
  });
});

describe("sbx run --out with 1,000 agents", () => {
  it("writes every file, report.html included, and exits as the criteria say", () => {
    const dir = join(work, "cli");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "crowd.sbx"), scenarioText(1_000, { steps: 2, network: true }));
    const r = sbx(["run", "crowd.sbx", "--out", "out"], { cwd: dir });
    expect(r.stderr).not.toMatch(/error|warning: report/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("wrote out/{events.jsonl, metrics.csv, agents.csv, summary.json, report.html}");
    const summary = JSON.parse(readFileSync(join(dir, "out/summary.json"), "utf8")) as { status: string; files: { report: string | null }; byKind: { agents: number }[] };
    expect(summary.status).toBe("complete");
    expect(summary.files.report).toBe("report.html");
    expect(summary.byKind.reduce((s, k) => s + k.agents, 0)).toBe(1_000);
    expect(readFileSync(join(dir, "out/agents.csv"), "utf8").trim().split("\n")).toHaveLength(1_001);
    expect(readFileSync(join(dir, "out/report.html"), "utf8")).toContain("too many for a bar each");
  }, 120_000);
});
