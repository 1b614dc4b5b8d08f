/**
 * Where the CLI writes. Only the CLI prints; everything else returns values.
 * Colour follows NO_COLOR / FORCE_COLOR and whether stderr is a terminal.
 */
import { createColors } from "picocolors";

export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
  readonly color: ReturnType<typeof createColors>;
  readonly columns: number;
}

export function processTerminal(): Terminal {
  const isTTY = process.stderr.isTTY === true;
  const noColor = "NO_COLOR" in process.env && process.env["NO_COLOR"] !== "";
  const force = "FORCE_COLOR" in process.env && process.env["FORCE_COLOR"] !== "0";
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY,
    color: createColors(!noColor && (isTTY || force)),
    columns: process.stderr.columns ?? 100,
  };
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, errors: 1, usage: 2, criteriaFailed: 3 } as const;
