/** The registry's vocabulary lives in src/spec (mechanisms declare their blocks with it). */
export type * from "../spec/types.ts";
