/**
 * Property tests run with a fixed seed, so CI is reproducible and a red run
 * can be replayed. FC_SEED=<n> picks another seed; FC_SEED=random explores
 * new ones (and prints the seed of any counterexample). No property pins a
 * seed of its own. FC_RUNS scales every property's number of cases
 * (tests/support/property-runs.ts).
 */
import fc from "fast-check";
import { runs } from "./property-runs.ts";

const configured = process.env["FC_SEED"];
fc.configureGlobal({
  numRuns: runs(100),
  ...(configured !== "random" ? { seed: configured === undefined ? 20261122 : Number(configured) } : {}),
});
