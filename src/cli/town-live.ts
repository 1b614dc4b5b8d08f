/**
 * `sbx run --live`: a town's ticks as they happen — each tick's encounters,
 * then every action with its outcome and what was said, one line each,
 * truncated to the terminal (`--full-messages` keeps utterances whole), in
 * colour unless NO_COLOR says otherwise. And, after any town run, the
 * town's summary: its metrics over the run and per trait cohort.
 */
import type { RunResult, SimEvent } from "../engine/index.ts";
import type { Plan } from "../plan/schema.ts";
import type { Terminal } from "./terminal.ts";

const COOPERATIVE = new Set(["talk", "gift", "help"]);
const CONFLICT = new Set(["steal", "report"]);

export interface LiveOptions {
  /** Keep utterances whole. */
  readonly full?: boolean;
}

/** An event listener that prints the town's ticks, or null when the plan has no town. */
export function townLive(plan: Plan, term: Terminal, options: LiveOptions = {}): ((e: SimEvent) => void) | null {
  if (!plan.town) return null;
  const c = term.color;
  const steps = plan.simulation.stepsPerEpoch;
  const width = Math.max(60, term.columns);
  const room = new Map<string, string>();
  const clip = (text: string, n: number): string => (options.full || text.length <= n ? text : `${text.slice(0, Math.max(0, n - 1))}…`);
  return (e) => {
    switch (e.type) {
      case "resident_arrived":
        room.set(e.agent, e.room);
        break;
      case "encounters_formed": {
        const tick = e.epoch * steps + e.step;
        const groups = e.groups.map((g) => `${g.room}: ${g.members.join("+")}`).join("  ");
        term.out(`${c.bold(`tick ${tick}`)}  ${c.dim(`${e.groups.length} encounter${e.groups.length === 1 ? "" : "s"}`)}${groups ? c.dim(`  ${clip(groups, width - 24)}`) : ""}\n`);
        break;
      }
      case "town_action": {
        const from = room.get(e.agent) ?? "?";
        if (e.action === "move" && e.ok && e.room) room.set(e.agent, e.room);
        const paint = !e.ok ? c.dim : CONFLICT.has(e.action) ? c.red : COOPERATIVE.has(e.action) ? c.green : (s: string) => s;
        const what = [e.action, e.target ? `→ ${e.target}` : "", e.room && e.action === "move" ? `→ ${e.room}` : "", e.topic ? `on ${e.topic}` : "", e.amount ? `(${e.amount})` : "", e.ok ? "" : "✗"].filter(Boolean).join(" ");
        const source = e.source === "planner" ? c.dim(" [planner]") : "";
        const head = `  ${c.cyan(e.agent)} ${c.dim(`[${from}]`)} ${paint(what)}${source}`;
        const said = e.utterance ? ` ${c.yellow(`“${clip(e.utterance, Math.max(20, width - head.length - 3))}”`)}` : "";
        term.out(`${head}${said}\n`);
        break;
      }
      case "persona_probed":
        term.out(`  ${c.cyan(e.agent)} ${c.magenta(`self-report item ${e.item}: ${e.answer}/5`)}\n`);
        break;
      default:
        break;
    }
  };
}

const fmt = (v: number | null | undefined): string => (typeof v === "number" ? v.toFixed(3) : "—");
const MEAN_OF = ["town.cooperation_rate", "town.gini_wealth", "town.polarization", "town.homophily", "town.conflicts", "town.productivity", "town.action_entropy", "town.persona_adherence", "town.encounters"] as const;

/** The town's metrics averaged over the run's epochs, overall and per trait cohort; "" without a town. */
export function renderTownSummary(result: RunResult): string {
  const town = result.town;
  if (!town) return "";
  const mean = (xs: (number | null | undefined)[]): number | null => {
    const v = xs.filter((x): x is number => typeof x === "number");
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const short = (m: string) => m.replace("town.", "").replace("_rate", "").replace("persona_", "").replace("action_", "");
  const head = `${"town".padEnd(12)}${MEAN_OF.map((m) => short(m).padStart(13)).join("")}`;
  const overall = `${"all".padEnd(12)}${MEAN_OF.map((m) => fmt(mean(result.epochs.map((e) => e.metrics[m]))).padStart(13)).join("")}`;
  const cohorts = [...new Set(town.history.flatMap((h) => Object.keys(h.cohorts)))];
  const rows = cohorts.map((k) => `${k.padEnd(12)}${MEAN_OF.map((m) => (m === "town.homophily" ? "" : fmt(mean(town.history.map((h) => h.cohorts[k]?.[m])))).padStart(13)).join("")}`);
  const rules = town.enacted.length ? `\nrules enacted: ${town.enacted.join(", ")}` : "";
  return `${head}\n${overall}\n${rows.join("\n")}${rows.length ? "\n" : ""}${rules}${rules ? "\n" : ""}`;
}
