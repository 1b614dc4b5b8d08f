/**
 * Loads the subcommands (commands.ts). From source, an ordinary dynamic
 * import; src/build.mjs swaps in load-commands.bundle.ts for dist/sbx.mjs.
 */
export type Commands = typeof import("./commands.ts");

export function loadCommands(): Promise<Commands> {
  return import("./commands.ts");
}
