import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sl from "../../src/mechanisms/interactions/soft-labels.ts";

const DEFAULT: sl.PayoffConfig = { sPlus: 2, sMinus: 1, h: 2, theta: 0.5, rhoA: 0, rhoB: 0, wRep: 1 };
const proxy = new sl.ProxyComputer();
const obs = (taskProgress: number, rework: number, rejections: number, misuse: number, engagement: number) => ({ taskProgress, rework, rejections, misuse, engagement });
const terms = (p: number, tau = 0, cA = 0, cB = 0, rA = 0, rB = 0) => ({ p, tau, cA, cB, rA, rB });

describe("proxy (§2, §12.3)", () => {
  it("reproduces the reference's (v̂, p) table", () => {
    const table: [ReturnType<typeof obs>, number, number][] = [
      [obs(0, 0, 0, 0, 0), 0.4, 0.6899744811276125],
      [obs(0.7, 1, 0, 0, 0.4), 0.48, 0.7231218051243898],
      [obs(0.8, 0, 0, 0, 0.5), 0.82, 0.8375349374193038],
      [obs(-0.5, 5, 3, 2, -0.6), -0.656228, 0.21207615665781956],
      [obs(-1, 10, 10, 10, -1), -0.99978135402, 0.1192488425187925],
      [obs(1, 0, 0, 0, 1), 1.0, 0.8807970779778823],
      [obs(2.0, 0, 0, 0, -3.0), 0.6000000000000001, 0.7685247834990178],
      [obs(0.55, 1, 0, 0, 0.4), 0.42000000000000004, 0.6984652160025387],
    ];
    for (const [o, v, p] of table) {
      const [vHat, prob] = proxy.labels(o);
      expect(vHat).toBe(v);
      expect(prob).toBe(p);
    }
    const [v1, p1] = new sl.ProxyComputer({ ...sl.REFERENCE_PROXY, weights: { taskProgress: 1, rework: 0, verifier: 0, engagement: 0 } }).labels(obs(0.8, 0, 0, 0, -0.5));
    expect(v1).toBe(0.8);
    expect(p1).toBe(0.8320183851339245);
  });

  it("maps counts to signals as the reference does", () => {
    expect([0, 1, 2, 3, 4].map((c) => sl.countSignal(c, 0.3))).toEqual([1, -0.4, -0.8200000000000001, -0.946, -0.9838]);
    expect([0, 1, 2, 3].map((c) => sl.countSignal(c, 0.4))).toEqual([1, -0.19999999999999996, -0.6799999999999999, -0.872]);
    expect([0, 1, 2, 3].map((c) => sl.countSignal(c, 0.5))).toEqual([1, 0.0, -0.5, -0.75]);
  });

  it("normalises weights keeping signs", () => {
    expect(sl.normalizeWeights({ taskProgress: 2, rework: 1, verifier: 1, engagement: 0 })).toEqual({ taskProgress: 0.5, rework: 0.25, verifier: 0.25, engagement: 0 });
    expect(sl.normalizeWeights({ taskProgress: 0, rework: 0, verifier: 0, engagement: 0 })).toEqual({ taskProgress: 0.25, rework: 0.25, verifier: 0.25, engagement: 0.25 });
    expect(sl.normalizeWeights({ taskProgress: 0.5, rework: -0.5, verifier: 0.5, engagement: 0.5 })).toEqual({ taskProgress: 0.25, rework: -0.25, verifier: 0.25, engagement: 0.25 });
  });

  it("keeps v̂ in [−1, 1], decreasing in rework", () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.nat(8), fc.nat(8), fc.nat(8), fc.double({ min: -5, max: 5, noNaN: true }), (a, b, c, d, e) => {
        const v = proxy.vHat(obs(a, b, c, d, e));
        return v >= -1 && v <= 1 && proxy.vHat(obs(a, b + 1, c, d, e)) <= v;
      }),
    );
    expect(proxy.vHat(obs(0.5, 0, 0, 0, 0.5))).toBeGreaterThan(proxy.vHat(obs(0.5, 1, 0, 0, 0.5)));
    expect(proxy.vHat(obs(0.5, 1, 0, 0, 0.5))).toBeGreaterThan(proxy.vHat(obs(0.5, 3, 0, 0, 0.5)));
  });
});

describe("sigmoid (§2.1, §12.3)", () => {
  it("matches the reference values", () => {
    expect(sl.calibratedSigmoid(0.5, 2)).toBe(0.7310585786300049);
    expect(sl.calibratedSigmoid(0.5, 1)).toBe(0.6224593312018546);
    expect(sl.calibratedSigmoid(0.7, 0)).toBe(0.5);
    expect(sl.calibratedSigmoid(20, 1)).toBe(0.9999546021312976);
    expect(sl.calibratedSigmoid(20, 1)).toBe(sl.calibratedSigmoid(10, 1));
    expect(sl.inverseSigmoid(0.8, 2)).toBe(0.6931471805599454);
    expect(sl.sigmoidDerivative(0, 2)).toBe(0.5);
    expect([sl.calibratedSigmoid(-1, 2), sl.calibratedSigmoid(1, 2)]).toEqual([0.11920292202211755, 0.8807970779778823]);
    expect([sl.inverseSigmoid(0.4, 2), sl.inverseSigmoid(0.6, 2)]).toEqual([-0.2027325540540821, 0.20273255405408214]);
    expect(() => sl.inverseSigmoid(0, 2)).toThrow();
    expect(() => sl.inverseSigmoid(1, 2)).toThrow();
  });

  it("is in [0, 1], monotone, symmetric, centred at 0.5", () => {
    expect(sl.calibratedSigmoid(0)).toBe(0.5);
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), (a, b) => {
        const pa = sl.calibratedSigmoid(a);
        const pb = sl.calibratedSigmoid(b);
        const sym = Math.abs(sl.calibratedSigmoid(-a) - (1 - pa)) <= 1e-15;
        return pa >= 0 && pa <= 1 && (a < b ? pa <= pb : pa >= pb) && sym;
      }),
    );
  });
});

describe("payoff (§3, §12.3)", () => {
  it("reproduces the default-config table", () => {
    const rows: [number, number, number, number, number][] = [
      [0, -1.0, 2.0, -0.5, -3.0],
      [0.25, -0.25, 1.5, -0.125, -1.75],
      [0.5, 0.5, 1.0, 0.25, -0.5],
      [0.7, 1.0999999999999999, 0.6000000000000001, 0.5499999999999999, 0.4999999999999998],
      [1, 2.0, 0.0, 1.0, 2.0],
    ];
    for (const [p, s, e, pi, social] of rows) {
      expect(sl.expectedSurplus(DEFAULT, p)).toBe(s);
      expect(sl.expectedHarm(DEFAULT, p)).toBe(e);
      expect(sl.payoffInitiator(DEFAULT, terms(p))).toBe(pi);
      expect(sl.payoffCounterparty(DEFAULT, terms(p))).toBe(pi);
      expect(sl.socialSurplus(DEFAULT, p)).toBe(social);
    }
    expect(sl.totalWelfare(DEFAULT, terms(0))).toBe(-1.0);
  });

  it("applies transfers, costs and reputation terms in order", () => {
    const x = terms(0.7, 0.3, 0.1, 0.05, 0.2, 0.15);
    expect(sl.payoffInitiator(DEFAULT, x)).toBe(0.35);
    expect(sl.payoffCounterparty(DEFAULT, x)).toBe(0.9499999999999998);
    expect(sl.totalWelfare(DEFAULT, x)).toBe(1.2999999999999998);
    const status: sl.PayoffConfig = { sPlus: 3, sMinus: 1.5, h: 2.5, theta: 0.5, rhoA: 0.1, rhoB: 0.1, wRep: 2 };
    const y = terms(0.6, -0.5, 0.2, 0, 0.1, -0.05);
    expect(sl.payoffInitiator(status, y)).toBe(1.0);
    expect(sl.payoffCounterparty(status, y)).toBe(-0.10000000000000014);
    expect(sl.totalWelfare(status, y)).toBe(0.8999999999999999);
    expect(sl.socialSurplus(status, 0.6)).toBe(0.19999999999999973);
    expect(sl.breakEvenP(status)).toBe(0.3333333333333333);
    expect(sl.socialBreakEvenP(status)).toBe(0.5714285714285714);
    const ext: sl.PayoffConfig = { ...DEFAULT, rhoA: 0.5, rhoB: 0.5 };
    const b = sl.breakdownInitiator(ext, terms(0.3));
    expect([b.expectedSurplus, b.expectedHarm, b.surplusShare, b.externalityCost, b.total]).toEqual([-0.09999999999999998, 1.4, -0.04999999999999999, 0.7, -0.75]);
    expect(sl.breakEvenP(DEFAULT)).toBe(1 / 3);
    expect(sl.socialBreakEvenP(DEFAULT)).toBe(0.6);
  });

  it("rejects invalid configs", () => {
    expect(() => sl.validatePayoff({ ...DEFAULT, sPlus: -1 })).toThrow(/s_plus/);
    expect(() => sl.validatePayoff({ ...DEFAULT, theta: 1.5 })).toThrow(/theta/);
    expect(() => sl.validatePayoff({ ...DEFAULT, rhoB: -0.1 })).toThrow(/rho values must be non-negative/);
  });

  const config = fc.record({
    sPlus: fc.double({ min: 0, max: 5, noNaN: true }),
    sMinus: fc.double({ min: 0, max: 5, noNaN: true }),
    h: fc.double({ min: 0, max: 5, noNaN: true }),
    theta: fc.double({ min: 0, max: 1, noNaN: true }),
    rhoA: fc.double({ min: 0, max: 1, noNaN: true }),
    rhoB: fc.double({ min: 0, max: 1, noNaN: true }),
    wRep: fc.double({ min: -2, max: 2, noNaN: true }),
  });
  const small = fc.double({ min: -2, max: 2, noNaN: true });

  it("transfers cancel: π_a + π_b = S − c_a − c_b − (ρ_a + ρ_b)·E + w_rep·(r_a + r_b)", () => {
    fc.assert(
      fc.property(config, fc.double({ min: 0, max: 1, noNaN: true }), small, small, small, small, small, (c, p, tau, cA, cB, rA, rB) => {
        const x = terms(p, tau, cA, cB, rA, rB);
        const lhs = sl.payoffInitiator(c, x) + sl.payoffCounterparty(c, x);
        const s = sl.expectedSurplus(c, p);
        const e = sl.expectedHarm(c, p);
        const rhs = s - cA - cB - (c.rhoA + c.rhoB) * e + c.wRep * (rA + rB);
        return Math.abs(lhs - rhs) <= 1e-12 * (1 + Math.abs(s) + Math.abs(tau) + Math.abs(e) * 2 + 8);
      }),
    );
  });

  it("breakdowns sum to the payoff", () => {
    fc.assert(
      fc.property(config, fc.double({ min: 0, max: 1, noNaN: true }), small, small, small, (c, p, tau, cA, rA) => {
        const x = terms(p, tau, cA, 0, rA, 0);
        const b = sl.breakdownInitiator(c, x);
        return b.total === sl.payoffInitiator(c, x) && b.transfer === -tau && sl.breakdownCounterparty(c, x).transfer === tau;
      }),
    );
  });
});
