import type { Room } from "./language.ts";

/** The seed persona town's three rooms, used when a town declares none. */
export const SEED_ROOMS: readonly Room[] = [
  { name: "town_square", capacity: 20, credits: 40, tokens: 3, work: true, research: false, policy: false },
  { name: "community_center", capacity: 14, credits: 10, tokens: null, work: true, research: false, policy: true },
  { name: "library", capacity: 10, credits: 0, tokens: null, work: false, research: true, policy: false },
];
