/** Reading event logs: wherever a log is cut, replay gives exactly the epochs that finished before the cut. */
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { readEventLog } from "../../src/cli/replay-command.ts";
import { replay, ReplayError, runWithEvents, toJsonl, type RunResult } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText } from "../support/compiler.ts";

let text: string;
let full: RunResult;
let plan: Plan;

beforeAll(() => {
  const compiled = compileText("scenario small {\n  seed = 3   epochs = 5   steps = 4\n  population { honest = 2   opportunistic = 1   adversarial = 1 }\n  expect { calm: mean(toxicity) <= 0.5 }\n}\n");
  plan = compiled.scenarios[0]!.plan as Plan;
  const run = runWithEvents(plan);
  text = toJsonl(run.events);
  full = run.result;
});

/** How replaying a log ends: "replayed", or the ReplayError's message. */
function why(log: string): string {
  try {
    replay(readEventLog(log).log!.events);
    return "replayed";
  } catch (e) {
    return e instanceof ReplayError ? e.message : `not a ReplayError: ${String(e)}`;
  }
}

describe("readEventLog", () => {
  it("reads a complete log as it is", () => {
    const read = readEventLog(text);
    expect(read.problem).toBeNull();
    expect(read.log!.cut).toBeNull();
    expect(replay(read.log!.events)).toEqual(full);
  });

  it("replays the epochs finished before any cut, or refuses a log cut inside its header", () => {
    const headerEnd = text.indexOf("\n");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), (at) => {
        const prefix = text.slice(0, at);
        const read = readEventLog(prefix);
        if (at < headerEnd) {
          expect(read.problem).toMatch(at === 0 ? /empty/ : /ends before its header/);
          return;
        }
        expect(read.problem).toBeNull();
        // A line cut after an inner object's brace also ends with "}": only lines that parse are finished.
        const parses = (l: string): boolean => {
          try {
            JSON.parse(l);
            return true;
          } catch {
            return false;
          }
        };
        const finished = prefix.split("\n").filter((l) => l.includes('"type":"epoch_completed"') && parses(l)).length;
        const result = replay(read.log!.events);
        expect(result.epochsCompleted).toBe(finished);
        expect(result.epochs).toEqual(full.epochs.slice(0, finished));
        if (finished === full.epochs.length) expect(result.agents).toEqual(full.agents);
        else if (finished > 0) expect(result.agents).toEqual(full.epochs[finished - 1]!.agents);
        // No epoch finished: every agent as the run starts it (architecture.md: resources start at 100).
        else expect(result.agents).toEqual(plan.agents.map((a) => ({ id: a.id, kind: a.kind, group: a.group, reputation: 0, resources: 100, payoff: 0, frozen: false, interactionsInitiated: 0, interactionsReceived: 0, interactionsRejected: 0 })));
        const lastLine = prefix.trimEnd().split("\n").at(-1) ?? "";
        const complete = lastLine.includes('"type":"run_completed"') && parses(lastLine);
        expect(read.log!.cut === null).toBe(complete);
      }),
      // Cuts inside the first epoch (nothing finished) are always among the examples.
      { numRuns: runs(200), examples: [[34284], [text.indexOf("\n") + 1], [text.indexOf('"type":"epoch_completed"')]] },
    );
  });

  it("says why a file is not an event log", () => {
    const problem = (t: string) => readEventLog(t).problem;
    expect(problem("")).toBe("the file is empty");
    expect(problem("\n\n")).toBe("the file is empty");
    expect(problem("epoch,toxicity\n0,0.3\n")).toBe("line 1 is not JSON");
    expect(problem("[1, 2]\n")).toBe("line 1 is not an sbx event");
    expect(problem('{"type":"something","format":"other"}\n')).toMatch(/^the first event is not an sbx run header/);
    expect(problem(text.replace('"version":1', '"version":99'))).toBe("it is event log version 99; this sbx reads version 1");
    const lines = text.split("\n");
    expect(problem([...lines.slice(0, 3), "{oops", ...lines.slice(3)].join("\n"))).toBe("line 4 is not JSON");
  });

  it("leaves a log whose recorded metrics contradict the replay to replay() to reject", () => {
    const tampered = text.replace(/("type":"epoch_completed","epoch":1,"metrics":\{[^}]*?"interactions":)(\d+)/, (_, head: string, n: string) => `${head}${Number(n) + 1}`);
    expect(tampered).not.toBe(text);
    const read = readEventLog(tampered);
    expect(read.problem).toBeNull();
    expect(() => replay(read.log!.events)).toThrow(ReplayError);
  });

  it("recomputes every interaction instead of copying it: an edited observable, label or payoff is the first mismatch", () => {
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.includes('"type":"interaction_completed"') && l.includes('"credited":true'));
    expect(at).toBeGreaterThan(0);
    const edit = (f: (e: { interaction: Record<string, unknown> & { observables: Record<string, number> } }) => void): string => {
      const e = JSON.parse(lines[at]);
      f(e);
      return [...lines.slice(0, at), JSON.stringify(e), ...lines.slice(at + 1)].join("\n");
    };
    expect(why(text)).toBe("replayed");
    expect(why(edit((e) => (e.interaction.observables.taskProgress += 0.25)))).toMatch(/^interaction \d+: vHat is logged as .* but recomputes as /);
    expect(why(edit((e) => (e.interaction.p = (e.interaction.p as number) + 1e-9)))).toMatch(/^interaction \d+: p is logged as /);
    expect(why(edit((e) => (e.interaction.payoffA = (e.interaction.payoffA as number) + 1)))).toMatch(/^interaction \d+: payoffA is logged as /);
    expect(why(edit((e) => (e.interaction.tau = 5)))).toMatch(/^interaction \d+: payoffA is logged as /);
  });

  it("refuses a post or vote by someone who is not an agent of the plan", () => {
    const lines = text.split("\n");
    for (const [type, field] of [["post_created", "author"], ["vote_cast", "voter"]] as const) {
      const at = lines.findIndex((l) => l.includes(`"type":"${type}"`));
      expect(at, type).toBeGreaterThan(0);
      const e = JSON.parse(lines[at]) as Record<string, unknown>;
      e[field] = "nobody_1";
      const log = [...lines.slice(0, at), JSON.stringify(e), ...lines.slice(at + 1)].join("\n");
      expect(why(log)).toBe(`${type} names "nobody_1", who is not an agent of the plan`);
    }
  });
});
