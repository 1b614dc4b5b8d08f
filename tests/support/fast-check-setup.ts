/**
 * Property tests run with a fixed seed, so CI is reproducible and a red run
 * can be replayed. FC_SEED=<n> picks another seed; FC_SEED=random explores
 * new ones (and prints the seed of any counterexample).
 */
import fc from "fast-check";

const configured = process.env["FC_SEED"];
if (configured !== "random") fc.configureGlobal({ seed: configured === undefined ? 20261122 : Number(configured) });
