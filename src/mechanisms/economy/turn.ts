import type { World } from "../../kernel/world.ts";

/** The run's current turn, counted from 1 (a turn is a step). */
export const turnOf = (w: World): number => w.stepSerial + 1;
