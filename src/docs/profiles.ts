/**
 * `npm run profiles`: writes docs/profiles.md, the default profile (`sbx`)
 * beside the compatibility profile (`swarm-0.1`) for the four reference
 * scenarios over 20 seeds.
 *
 * The headline table comes from sbx's own `sbx sweep` (run as a child
 * process on docs/profiles/*.sbx, results kept in docs/profiles/results/);
 * the mechanism ledger that explains each difference comes from running the
 * same cell plans in-process and reading what each mechanism did. The page
 * names every cell's plan hash and a full-precision check value per cell, so
 * tests/profiles/docs.test.ts can tell whether the page is current without
 * rerunning the sweeps.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { compileSweep, type SweepCell } from "../compiler/sweep.ts";
import { runPlan, type InteractionRecord, type SimEvent } from "../engine/index.ts";
import { expectedHarm, expectedSurplus } from "../mechanisms/interactions/soft-labels.ts";
import type { Plan } from "../plan/schema.ts";
import { nodeHost, PACKAGE_ROOT } from "../platform/node-host.ts";
import { withSeed } from "../cli/run-outcome.ts";
import { byKind, runTotals } from "../report/summary.ts";

/** The four reference scenarios, their sweep files and the bad actor each one follows. */
export const PROFILE_STUDIES = [
  { name: "baseline", title: "Baseline", badActor: { id: "deceptive_1", kind: "deceptive" } },
  { name: "status_game", title: "Status game", badActor: { id: "adversarial_1", kind: "adversarial" } },
  { name: "strict_governance", title: "Strict governance", badActor: { id: "adversarial_1", kind: "adversarial" } },
  { name: "network_effects", title: "Network effects", badActor: { id: "adversarial_1", kind: "adversarial" } },
] as const;

export type Study = (typeof PROFILE_STUDIES)[number];

export const ARMS = [
  { arm: "compatibility", profile: "swarm-0.1" },
  { arm: "default", profile: "sbx" },
] as const;

export const sweepFile = (root: string, s: Study): string => join(root, "docs/profiles", `${s.name}.sbx`);
export const resultsDir = (root: string, s: Study): string => join(root, "docs/profiles/results", s.name);

/** The part of a sweep's summary.json this page reads. */
export interface SweepSummary {
  cells: { index: number; arm: string; cellPlanHash: string; n: number; metrics: Record<string, { n: number; mean: number | null; ci: { lower: number; upper: number } | null }> }[];
}

export function readSummary(root: string, s: Study): SweepSummary {
  return JSON.parse(readFileSync(join(resultsDir(root, s), "summary.json"), "utf8")) as SweepSummary;
}

/** The first seed's row of each cell in runs.csv: the page's check values. */
export function checkRows(root: string, s: Study): Map<number, Record<string, string>> {
  const [header, ...rows] = readFileSync(join(resultsDir(root, s), "runs.csv"), "utf8").trimEnd().split("\n").map((l) => l.split(","));
  const out = new Map<number, Record<string, string>>();
  for (const r of rows) {
    const rec = Object.fromEntries(header.map((h, i) => [h, r[i]]));
    const cell = Number(rec["cell"]);
    if (!out.has(cell)) out.set(cell, rec);
  }
  return out;
}

/** The headline metrics: the sweep's columns. */
export const HEADLINE = [
  { column: "mean_toxicity", label: "Mean toxicity" },
  { column: "welfare_per_epoch", label: "Welfare per epoch" },
] as const;

export const badActorColumn = (s: Study): string => `mean_payoff_${s.badActor.kind}`;

function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a !== 0 && a < 0.01) return v.toExponential(1);
  return v.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : digits);
}

const pct = (share: number): string => `${Math.round(100 * share)}%`;

function withCi(m: SweepSummary["cells"][number]["metrics"][string] | undefined): string {
  if (!m || m.mean === null) return "—";
  return m.ci ? `${fmt(m.mean)} [${fmt(m.ci.lower)}, ${fmt(m.ci.upper)}]` : fmt(m.mean);
}

/** A scenario's headline table, exactly as the page prints it (the docs test re-renders it from summary.json). */
export function headlineTable(s: Study, summary: SweepSummary): string {
  const cell = (arm: string) => summary.cells.find((c) => c.arm === arm);
  const rows = [
    ...HEADLINE.map((h) => ({ label: h.label, column: h.column })),
    { label: `Bad-actor payoff (${s.badActor.id})`, column: badActorColumn(s) },
  ];
  const lines = [
    "| Metric (mean over 20 seeds, [95% CI]) | swarm-0.1 (compatibility) | sbx (default) |",
    "|---|---|---|",
    ...rows.map((r) => `| ${r.label} | ${withCi(cell("compatibility")?.metrics[r.column])} | ${withCi(cell("default")?.metrics[r.column])} |`),
  ];
  return lines.join("\n");
}

// ------------------------------------------------------------------ the mechanism ledger

/** What the mechanisms did in one cell, averaged over its seeds. */
export interface Ledger {
  seeds: number;
  interactions: number;
  accepted: number;
  initiatedBy: Record<string, number>;
  acceptedBy: Record<string, number>;
  toxicityBy: Record<string, number>;
  transfers: number;
  welfareSurplus: number;
  welfareExternality: number;
  welfareCharges: number;
  welfareReputation: number;
  tax: number;
  auditPenalty: number;
  slashed: number;
  pool: number;
  freezes: number;
  badFrozen: number;
  capped: number;
  blocked: number;
  exploiting: number;
  /** Deceptive agents in the population. */
  deceptive: number;
  slashedBy: Record<string, number>;
  /** Turns of the bad actor it spent frozen (agent turns skipped), per run. */
  bad: { share: number; transfers: number; charges: number; externality: number; reputation: number; acceptedInitiated: number; acceptedReceived: number; initiated: number };
  epochs: number;
}

const kindOf = (id: string): string => id.replace(/_\d+$/, "");

export function ledger(cell: SweepCell, seeds: readonly number[], badActor: string): Ledger {
  const L: Ledger = {
    seeds: seeds.length,
    interactions: 0,
    accepted: 0,
    initiatedBy: {},
    acceptedBy: {},
    toxicityBy: {},
    transfers: 0,
    welfareSurplus: 0,
    welfareExternality: 0,
    welfareCharges: 0,
    welfareReputation: 0,
    tax: 0,
    auditPenalty: 0,
    slashed: 0,
    pool: 0,
    freezes: 0,
    badFrozen: 0,
    capped: 0,
    blocked: 0,
    exploiting: 0,
    deceptive: cell.plan.agents.filter((a) => a.kind === "deceptive").length,
    slashedBy: {},
    bad: { share: 0, transfers: 0, charges: 0, externality: 0, reputation: 0, acceptedInitiated: 0, acceptedReceived: 0, initiated: 0 },
    epochs: cell.plan.simulation.epochs,
  };
  const k = 1 / seeds.length;
  const bump = (m: Record<string, number>, key: string, v: number) => (m[key] = (m[key] ?? 0) + v);
  const toxSum: Record<string, number> = {};
  for (const seed of seeds) {
    const plan: Plan = withSeed(cell.plan, seed);
    const pay = plan.payoff;
    const xs: InteractionRecord[] = [];
    const result = runPlan(plan, {
      onInteraction: (x) => xs.push(x),
      events: (e: SimEvent) => {
        if (e.type === "stake_slashed") bump(L.slashedBy, kindOf(e.agent), k * e.amount);
      },
    });
    L.interactions += k * xs.length;
    for (const x of xs) bump(L.initiatedBy, kindOf(x.initiator), k);
    for (const x of xs) {
      if (!x.accepted) continue;
      L.accepted += k;
      bump(L.acceptedBy, kindOf(x.initiator), k);
      bump(toxSum, kindOf(x.initiator), 1 - x.p);
      L.welfareSurplus += k * expectedSurplus(pay, x.p);
      L.welfareExternality -= k * (pay.rhoA + pay.rhoB) * expectedHarm(pay, x.p);
      L.welfareCharges -= k * (x.cA + x.cB);
      L.welfareReputation += k * pay.wRep * (x.rA + x.rB);
      if (x.initiator === badActor) {
        L.bad.acceptedInitiated += k;
        L.bad.share += k * pay.theta * expectedSurplus(pay, x.p);
        L.bad.transfers -= k * x.tau;
        L.bad.charges -= k * x.cA;
        L.bad.externality -= k * pay.rhoA * expectedHarm(pay, x.p);
        L.bad.reputation += k * pay.wRep * x.rA;
      } else if (x.counterparty === badActor) {
        L.bad.acceptedReceived += k;
        L.bad.share += k * (1 - pay.theta) * expectedSurplus(pay, x.p);
        L.bad.transfers += k * x.tau;
        L.bad.charges -= k * x.cB;
        L.bad.externality -= k * pay.rhoB * expectedHarm(pay, x.p);
        L.bad.reputation += k * pay.wRep * x.rB;
      }
    }
    L.bad.initiated += k * xs.filter((x) => x.initiator === badActor).length;
    for (const e of result.epochs) {
      const m = e.metrics;
      L.transfers += k * (m["transfers"] as number);
      L.tax += k * (m["governance.tax"] as number);
      L.auditPenalty += k * (m["governance.audit_penalty"] as number);
      L.slashed += k * (m["governance.slashed"] as number);
      L.freezes += k * (m["governance.freezes"] as number);
      L.capped += k * (m["governance.capped"] as number);
      L.blocked += k * (m["governance.blocked"] as number);
    }
    const last = result.epochs.at(-1)?.metrics;
    L.pool += k * ((last?.["governance.pool"] as number) ?? 0);
    L.exploiting += k * ((last?.["exploiting"] as number) ?? 0);
    if (result.agents.find((a) => a.id === badActor)?.frozen) L.badFrozen += k;
  }
  for (const [kind, n] of Object.entries(L.acceptedBy)) L.toxicityBy[kind] = n > 0 ? toxSum[kind] / (n * seeds.length) : 0;
  return L;
}

function ledgerTable(s: Study, compat: Ledger, dflt: Ledger): string {
  const perEpoch = (v: number, l: Ledger) => v / l.epochs;
  const kinds = [...new Set([...Object.keys(compat.initiatedBy), ...Object.keys(dflt.initiatedBy)])].sort();
  const row = (label: string, f: (l: Ledger) => number | string) => `| ${label} | ${typeof f(compat) === "number" ? fmt(f(compat) as number) : f(compat)} | ${typeof f(dflt) === "number" ? fmt(f(dflt) as number) : f(dflt)} |`;
  return [
    "| Mechanism ledger (mean per run over the same 20 seeds) | swarm-0.1 | sbx |",
    "|---|---|---|",
    row("Interactions completed / accepted", (l) => `${fmt(l.interactions, 1)} / ${fmt(l.accepted, 1)}`),
    ...kinds.map((kd) => row(`Initiated by ${kd} agents (accepted; toxicity of the accepted)`, (l) => `${fmt(l.initiatedBy[kd] ?? 0, 1)} (${fmt(l.acceptedBy[kd] ?? 0, 1)}; ${fmt(l.toxicityBy[kd] ?? null)})`)),
    row("Welfare per epoch: surplus S", (l) => perEpoch(l.welfareSurplus, l)),
    row("Welfare per epoch: − internalised externality ρ·E", (l) => perEpoch(l.welfareExternality, l)),
    row("Welfare per epoch: − governance charges c_a + c_b", (l) => perEpoch(l.welfareCharges, l)),
    row("Welfare per epoch: + reputation terms w_rep·(r_a + r_b)", (l) => perEpoch(l.welfareReputation, l)),
    row("Transfers offered, Σ|τ|", (l) => l.transfers),
    row("Transaction tax charged", (l) => l.tax),
    row("Audit penalties charged", (l) => l.auditPenalty),
    row("Stake slashed", (l) => l.slashed),
    ...kinds.map((kd) => row(`Stake slashed from ${kd} agents`, (l) => l.slashedBy[kd] ?? 0)),
    row("Public pool at the end", (l) => l.pool),
    row("Circuit-breaker freezes", (l) => l.freezes),
    row(`${s.badActor.id} frozen at the end (share of seeds)`, (l) => l.badFrozen),
    row("Interactions refused by the bandwidth cap", (l) => l.capped),
    row("Turns refused by staking", (l) => l.blocked),
    row("Deceptive agents exploiting at the end", (l) => l.exploiting),
    row(`${s.badActor.id}: proposals made / accepted as initiator / accepted as counterparty`, (l) => `${fmt(l.bad.initiated, 1)} / ${fmt(l.bad.acceptedInitiated, 1)} / ${fmt(l.bad.acceptedReceived, 1)}`),
    row(`${s.badActor.id} payoff: surplus share`, (l) => l.bad.share),
    row(`${s.badActor.id} payoff: transfers received (− paid)`, (l) => l.bad.transfers),
    row(`${s.badActor.id} payoff: − governance charges`, (l) => l.bad.charges),
    row(`${s.badActor.id} payoff: − internalised externality`, (l) => l.bad.externality),
    row(`${s.badActor.id} payoff: + reputation term`, (l) => l.bad.reputation),
  ].join("\n");
}

// ------------------------------------------------------------------ the page

export interface StudyData {
  study: Study;
  summary: SweepSummary;
  checks: Map<number, Record<string, string>>;
  compat: Ledger;
  dflt: Ledger;
}

/** Why the two columns differ, mechanism by mechanism, in the terms of the ledger. */
function explanation(d: StudyData): string {
  const { study: s, compat: c, dflt: x } = d;
  const mean = (arm: string, col: string) => d.summary.cells.find((k) => k.arm === arm)?.metrics[col]?.mean ?? 0;
  const lines: string[] = [];
  const tox = [mean("compatibility", "mean_toxicity"), mean("default", "mean_toxicity")];
  const wel = [mean("compatibility", "welfare_per_epoch"), mean("default", "welfare_per_epoch")];
  const bad = [mean("compatibility", badActorColumn(s)), mean("default", badActorColumn(s))];
  const dec = (l: Ledger) => l.initiatedBy["deceptive"] ?? 0;
  const perEpoch = (v: number, l: Ledger) => fmt(v / l.epochs);
  if (x.deceptive > 0) {
    lines.push(
      `- **Mean toxicity** moves from ${fmt(tox[0])} to ${fmt(tox[1])} because **deceptive agents become active** (§14.1 item 6). In swarm-0.1 ${x.deceptive > 1 ? `the ${x.deceptive} deceptive agents initiate` : "the deceptive agent initiates"} ${fmt(dec(c), 2)} interactions per run: the facade votes whenever a post is visible, and exploitation is unreachable. ` +
        `In sbx they initiate ${fmt(dec(x), 1)}: they build trust with +0.1 collaborations, and ${fmt(x.exploiting, 2)} per run reach the exploitation phase (logged as \`exploitation_started\`), after which they propose trades asking 0.5 from the partners that trust them. ` +
        `Their interactions are drawn from the deceptive observables (accepted toxicity ${fmt(x.toxicityBy["deceptive"] ?? null)}, against ${fmt(x.toxicityBy["honest"] ?? null)} for honest initiators), so they pull the mean up.`,
    );
  } else {
    lines.push(
      `- **Mean toxicity** hardly moves (${fmt(tox[0])} → ${fmt(tox[1])}): no agent changes how its interactions look, and the accepted interactions of each kind keep their toxicity (ledger rows "Initiated by …"); only the mix of accepted initiators shifts.`,
    );
  }
  lines.push(
    `- **Welfare per epoch** goes from ${fmt(wel[0])} to ${fmt(wel[1])}. By part (ledger): surplus ${perEpoch(c.welfareSurplus, c)} → ${perEpoch(x.welfareSurplus, x)}, with ${fmt(c.accepted, 1)} → ${fmt(x.accepted, 1)} accepted interactions per run; ` +
      `reputation terms ${perEpoch(c.welfareReputation, c)} → ${perEpoch(x.welfareReputation, x)}, because sbx pays each party of an accepted interaction w_rep·(p − 0.5), its reputation change (§14.1 item 7; the reference never sets r_a, r_b); ` +
      `internalised externality ${perEpoch(c.welfareExternality, c)} → ${perEpoch(x.welfareExternality, x)} and governance charges ${perEpoch(c.welfareCharges, c)} → ${perEpoch(x.welfareCharges, x)}. Transfers cancel out of welfare.`,
  );
  if (x.transfers > 0) {
    lines.push(
      `- **Transfers and the tax** (§14.1 item 1). sbx proposals carry the policies' transfers, Σ|τ| = ${fmt(x.transfers, 1)} per run (opportunistic trades ask 0.5, adversarial trades with targets ask 1.0, deceptive collaborations offer 0.1 and exploitation trades ask 0.5; swarm-0.1: 0)` +
        (x.tax > 0 ? `, so the transaction tax charges ${fmt(x.tax)} per run instead of nothing` : "; this scenario has no tax") +
        `. Taxes, audit penalties and slashed stakes go to the public pool: ${fmt(x.pool)} at the end of an sbx run.`,
    );
  }
  if (x.slashed > 0 || c.freezes > 0 || x.freezes > 0 || c.auditPenalty > 0) {
    const slashers = Object.entries(x.slashedBy)
      .sort((a, b) => b[1] - a[1])
      .map(([kd, v]) => `${kd} ${fmt(v, 1)}`)
      .join(", ");
    const parts = [`- **Audits and the circuit breaker act on accepted interactions; violations slash stake** (§14.1 items 9, 10; §0.4).`];
    if (c.auditPenalty > 0) parts.push(`Audit penalties fall from ${fmt(c.auditPenalty)} to ${fmt(x.auditPenalty)} per run: swarm-0.1 audits and charges rejected proposals too, whose payoffs are never paid.`);
    if (c.freezes > 0 || x.freezes > 0) {
      parts.push(
        `In swarm-0.1 rejected proposals also fill the toxicity window: the breaker freezes someone ${fmt(c.freezes, 2)} times per run, and ${s.badActor.id} is frozen at the end of ${pct(c.badFrozen)} of runs. ` +
          `In sbx, ${s.badActor.id}'s proposals are mostly rejected (${fmt(x.bad.acceptedInitiated, 1)} of ${fmt(x.bad.initiated, 1)} accepted), so its window barely fills: the breaker freezes ${fmt(x.freezes, 2)} times per run and ${s.badActor.id} ends frozen in ${pct(x.badFrozen)} of runs. ` +
          `Rarely frozen, it keeps its turns and proposes ${fmt(x.bad.initiated, 1)} times per run instead of ${fmt(c.bad.initiated, 1)}.`,
      );
    }
    if (x.slashed > 0) parts.push(`Circuit-breaker violations and failed audits slash resources·slash_rate (${fmt(x.slashed, 1)} per run: ${slashers}), which the reference never does.`);
    lines.push(parts.join(" "));
  }
  if (x.capped > 0) {
    lines.push(`- **The bandwidth cap binds**: ${fmt(x.capped, 1)} accepted interactions per run are refused because a party has used its cap for the epoch (never in swarm-0.1, where the cap is not applied).`);
  }
  lines.push(
    `- **The bad actor's payoff** goes from ${fmt(bad[0])} to ${fmt(bad[1])}. In sbx it is: surplus share ${fmt(x.bad.share)}, transfers ${fmt(x.bad.transfers)}, governance charges ${fmt(x.bad.charges)}, externality ${fmt(x.bad.externality)}, reputation term ${fmt(x.bad.reputation)} ` +
      `(swarm-0.1: ${fmt(c.bad.share)}, ${fmt(c.bad.transfers)}, ${fmt(c.bad.charges)}, ${fmt(c.bad.externality)}, ${fmt(c.bad.reputation)}), over ${fmt(x.bad.acceptedInitiated + x.bad.acceptedReceived, 1)} accepted interactions instead of ${fmt(c.bad.acceptedInitiated + c.bad.acceptedReceived, 1)}.`,
  );
  return lines.join("\n");
}

export function pageMarkdown(data: readonly StudyData[], plansBySeed: string): string {
  const parts: string[] = [];
  parts.push(`# The default profile beside the compatibility profile

<!-- Generated by \`npm run profiles\` (src/docs/profiles.ts); do not edit by hand. -->

Every scenario runs in one of two profiles (language/REFERENCE.md §5.1).
\`swarm-0.1\` reproduces the reference sandbox bit for bit, including the
mechanisms it defines but never applies; \`sbx\`, the default, applies them as
the sandbox's README and whitepaper describe (docs/differences.md, "The default
profile"). This page shows what that changes for the four reference scenarios.

**How it was made.** Each \`docs/profiles/<scenario>.sbx\` declares a sweep of
the scenario with two arms, \`compatibility\` (\`profile = "swarm-0.1"\`) and
\`default\` (\`profile = "sbx"\`), over seeds ${plansBySeed}. \`npm run profiles\`
runs them with \`sbx sweep\` (results in \`docs/profiles/results/<scenario>/\`:
\`runs.csv\`, \`cells.csv\`, \`summary.json\`) and takes the headline tables from
\`summary.json\`: the mean over seeds and its 95% Student-t confidence interval.
The mechanism ledgers under each table rerun the same cell plans in-process and
add up what each mechanism did, to explain the differences. "Bad actor" is the
agent the seed README's comparison table follows: the deceptive agent in the
baseline (which has no adversary) and the adversary elsewhere.

## At a glance

| Scenario | Metric | swarm-0.1 | sbx |
|---|---|---|---|`);
  for (const d of data) {
    const cell = (arm: string) => d.summary.cells.find((c) => c.arm === arm);
    for (const [label, col] of [["Mean toxicity", "mean_toxicity"], ["Welfare per epoch", "welfare_per_epoch"], ["Bad-actor payoff", badActorColumn(d.study)]] as const) {
      parts.push(`| ${d.study.title} | ${label} | ${withCi(cell("compatibility")?.metrics[col])} | ${withCi(cell("default")?.metrics[col])} |`);
    }
  }
  for (const d of data) {
    parts.push(`\n## ${d.study.title}\n\nSweep: \`docs/profiles/${d.study.name}.sbx\` over \`scenarios/${d.study.name}.sbx\`.\n`);
    parts.push(headlineTable(d.study, d.summary));
    parts.push("");
    parts.push(explanation(d));
    parts.push("");
    parts.push(ledgerTable(d.study, d.compat, d.dflt));
  }
  parts.push(`
## Provenance

Each cell's plan hash (as \`sbx sweep\` records it in \`summary.json\`) and the
first seed's values from \`runs.csv\` at full precision. \`tests/profiles/docs.test.ts\`
recompiles the sweeps and reruns these first seeds: if a plan, a scenario or the
engine changes, the test fails until \`npm run profiles\` regenerates this page.

| Scenario | Arm | Cell plan hash | Seed | mean_toxicity | welfare_per_epoch | Bad-actor payoff |
|---|---|---|---|---|---|---|`);
  for (const d of data) {
    for (const c of d.summary.cells) {
      const row = d.checks.get(c.index) ?? {};
      parts.push(`| ${d.study.name} | ${c.arm} | \`${c.cellPlanHash}\` | ${row["seed"]} | ${row["mean_toxicity"]} | ${row["welfare_per_epoch"]} | ${row[badActorColumn(d.study)]} |`);
    }
  }
  return parts.join("\n") + "\n";
}

// ------------------------------------------------------------------ main

function runSweep(root: string, s: Study): void {
  const args = ["--import", "tsx", join(root, "src/cli/bin.ts"), "sweep", sweepFile(root, s), "--out", resultsDir(root, s), "--restart", "--jobs", String(Math.max(1, availableParallelism()))];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`sbx sweep ${s.name} exited with ${r.status}`);
}

function main(): void {
  const root = PACKAGE_ROOT;
  const data: StudyData[] = [];
  let seedsText = "";
  for (const s of PROFILE_STUDIES) {
    runSweep(root, s);
    const compiled = compileSweep(nodeHost(), sweepFile(root, s));
    if (!compiled.sweep) throw new Error(`${s.name}: the sweep does not compile`);
    const seeds = compiled.sweep.seeds;
    seedsText = `${seeds[0]}..${seeds.at(-1)}`;
    const cellOf = (arm: string) => compiled.sweep!.cells.find((c) => c.arm === arm)!;
    process.stderr.write(`ledger: ${s.name}\n`);
    data.push({
      study: s,
      summary: readSummary(root, s),
      checks: checkRows(root, s),
      compat: ledger(cellOf("compatibility"), seeds, s.badActor.id),
      dflt: ledger(cellOf("default"), seeds, s.badActor.id),
    });
  }
  const target = join(root, "docs/profiles.md");
  writeFileSync(target, pageMarkdown(data, seedsText));
  process.stderr.write(`wrote ${target}\n`);
}

if (process.argv[1]?.endsWith("profiles.ts")) main();

/** The check values of a run, as runs.csv writes them. */
export function checkValues(plan: Plan, s: Study): Record<string, string> {
  const result = runPlan(plan);
  const t = runTotals(result);
  const bad = byKind(result.agents, plan).find((k) => k.kind === s.badActor.kind);
  return {
    mean_toxicity: String(t.meanToxicity),
    welfare_per_epoch: String(t.welfarePerEpoch),
    [badActorColumn(s)]: String(bad?.meanPayoff),
  };
}
