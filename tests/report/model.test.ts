import { describe, expect, it } from "vitest";
import type { EpochRecord, SimEvent } from "../../src/engine/index.ts";
import { circleLayout, formatNumber, freezeIntervals, freezesFromSnapshots, spreadLabels } from "../../src/report/model.ts";

const at = (epoch: number, step: number) => ({ epoch, step });

describe("freeze intervals", () => {
  it("pairs freezes with releases from the event log, exact to the step, open when never released", () => {
    const events = [
      { type: "agent_frozen", agent: "a", ...at(0, 8) },
      { type: "agent_frozen", agent: "b", ...at(1, 3) },
      { type: "agent_unfrozen", agent: "a", ...at(2, 0) },
      { type: "agent_frozen", agent: "a", ...at(2, 10) },
      { type: "agent_unfrozen", agent: "c", ...at(3, 0) },
    ] as SimEvent[];
    expect(freezeIntervals(events)).toEqual([
      { agent: "a", from: 0, fromStep: 8, to: 2, toStep: 0 },
      { agent: "b", from: 1, fromStep: 3, to: null },
      { agent: "a", from: 2, fromStep: 10, to: null },
    ]);
  });

  it("falls back to the end-of-epoch snapshots, to the epoch", () => {
    const snap = (epoch: number, frozen: string[]): EpochRecord => ({
      epoch,
      metrics: {},
      observed: {},
      agents: ["a", "b"].map((id) => ({ id, kind: "honest", group: "g", reputation: 0, resources: 0, payoff: 0, frozen: frozen.includes(id), interactionsInitiated: 0, interactionsReceived: 0 })),
    });
    expect(freezesFromSnapshots([snap(0, []), snap(1, ["a"]), snap(2, ["a", "b"]), snap(3, ["b"])])).toEqual([
      { agent: "a", from: 1, to: 3 },
      { agent: "b", from: 2, to: null },
    ]);
  });
});

describe("layout helpers", () => {
  it("puts nodes on a circle from the top, clockwise, in the given order", () => {
    const layout = circleLayout(["a", "b", "c", "d"]);
    expect(layout).toEqual([
      { id: "a", x: 0, y: 1 },
      { id: "b", x: 1, y: 0 },
      { id: "c", x: 0, y: -1 },
      { id: "d", x: -1, y: 0 },
    ]);
    expect(circleLayout(["solo"])).toEqual([{ id: "solo", x: 0, y: 0 }]);
  });

  it("spreads end labels at least a gap apart, within bounds, keeping their order", () => {
    const ys = spreadLabels([1, 1.01, 5, 1.02, 9.99], 0.5, 0, 10);
    const sorted = [...ys].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(0.5 - 1e-9);
    expect(Math.max(...ys)).toBeLessThanOrEqual(10);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(0);
    expect(ys[0]! < ys[1]! && ys[1]! < ys[3]!).toBe(true);
    expect(ys[2]).toBe(5);
  });

  it("formats numbers for tables", () => {
    expect([formatNumber(null), formatNumber(3), formatNumber(0.123456), formatNumber(1234.56), formatNumber(-0.5)]).toEqual(["—", "3", "0.1235", "1234.6", "-0.5"]);
  });
});
