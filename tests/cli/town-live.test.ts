/** `sbx run --live`: a town's ticks as they happen, truncated, in colour unless NO_COLOR. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createColors } from "picocolors";
import { describe, expect, it } from "vitest";
import { townLive } from "../../src/cli/town-live.ts";
import type { Terminal } from "../../src/cli/terminal.ts";
import type { SimEvent } from "../../src/engine/index.ts";
import { sbx } from "../support/cli.ts";
import { compileTown, smallTownText } from "../town/support.ts";

function fakeTerminal(color: boolean, columns = 80): Terminal & { text: () => string } {
  let out = "";
  return { out: (t) => (out += t), err: () => undefined, isTTY: false, color: createColors(color), columns, text: () => out };
}

describe("sbx run --live", () => {
  it("streams each tick's encounters and every action, without colour under NO_COLOR", () => {
    const dir = mkdtempSync(join(tmpdir(), "sbx-live-"));
    const file = join(dir, "town.sbx");
    writeFileSync(file, smallTownText({ epochs: 2, steps: 2 }));
    const r = sbx(["run", file, "--live"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tick 0 {2}\d+ encounters?/m);
    expect(r.stdout).toMatch(/^tick 3 /m);
    expect(r.stdout).toMatch(/^ {2}resident_1 \[(town_square|community_center|library)\] \S+/m);
    expect(r.stdout.split("\n").filter((l) => /^ {2}resident_\d /.test(l))).toHaveLength(9 * 4);
    expect(r.stdout).not.toContain("\u001b[");
    const coloured = sbx(["run", file, "--live"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    expect(coloured.stdout).toContain("\u001b[");
    // Without --live nothing of the kind is printed; the town's summary is.
    const quiet = sbx(["run", file]);
    expect(quiet.stdout).not.toMatch(/^tick 0/m);
    expect(quiet.stdout).toMatch(/^town {10}cooperation/m);
  });

  it("truncates utterances to the terminal unless --full-messages, and marks the planner's decisions", () => {
    const plan = compileTown(smallTownText());
    const long = "I have been thinking about how this town could share its work more fairly, ".repeat(4);
    const events: SimEvent[] = [
      { type: "resident_arrived", epoch: 0, step: 0, agent: "resident_1", room: "library", credits: 5, opinions: [0, 0] },
      { type: "town_action", epoch: 0, step: 0, agent: "resident_1", action: "talk", ok: true, target: "resident_2", topic: "housing", options: 3, source: "planner", utterance: long },
      { type: "town_action", epoch: 0, step: 0, agent: "resident_1", action: "steal", ok: false, target: "resident_3", options: 3 },
    ];
    const term = fakeTerminal(false);
    const live = townLive(plan, term)!;
    for (const e of events) live(e);
    const [talk, steal] = term.text().trimEnd().split("\n");
    expect(talk).toMatch(/^ {2}resident_1 \[library\] talk → resident_2 on housing \[planner\] “I have been think.*…”$/);
    expect(talk!.length).toBeLessThanOrEqual(84);
    expect(steal).toBe("  resident_1 [library] steal → resident_3 ✗");
    const full = fakeTerminal(false);
    const whole = townLive(plan, full, { full: true })!;
    for (const e of events) whole(e);
    expect(full.text()).toContain(`“${long}”`);
    expect(townLive({ ...plan, town: undefined }, full)).toBeNull();
  });
});
