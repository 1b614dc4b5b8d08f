/**
 * `sbx playground [--port N] [--open]`: serve the playground (dist/playground,
 * built by `npm run build:playground`, or built now from a source checkout)
 * on this machine until interrupted.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PACKAGE_ROOT } from "../platform/node-host.ts";
import { serveFolder } from "../platform/static-server.ts";
import { EXIT, type Terminal } from "./terminal.ts";

export const DEFAULT_PORT = 8480;

export interface PlaygroundOptions {
  readonly port?: string;
  readonly open?: boolean;
}

const SITE = join(PACKAGE_ROOT, "dist", "playground");

/** The site, built from the sources when it is missing (a checkout where only `npm install` ran). */
async function site(term: Terminal): Promise<string | null> {
  if (existsSync(join(SITE, "index.html"))) return SITE;
  const script = join(PACKAGE_ROOT, "playground", "build.mjs");
  if (existsSync(script)) {
    term.err("sbx: building the playground (dist/playground)…\n");
    try {
      const { buildPlayground } = (await import(pathToFileURL(script).href)) as { buildPlayground(o: { quiet: boolean }): Promise<unknown> };
      await buildPlayground({ quiet: true });
      return SITE;
    } catch (e) {
      term.err(`sbx: ${term.color.red("error[SBX5001]")}: cannot build the playground: ${(e as Error).message}\n`);
      return null;
    }
  }
  term.err(`sbx: ${term.color.red("error[SBX5001]")}: cannot read ${join(SITE, "index.html")}: the playground is not built (run \`npm run build:playground\`)\n`);
  return null;
}

/** Opens `url` in the desktop's browser, if there is one; says so when there is not. */
function openBrowser(url: string, term: Terminal): void {
  const [command, args] = process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", "", url]] : ["xdg-open", [url]];
  const child = spawn(command, args, { stdio: "ignore", detached: true });
  child.on("error", (e) => term.err(`sbx: could not open a browser (${command}: ${e.message}); open ${url} yourself\n`));
  child.unref();
}

export async function playgroundCommand(options: PlaygroundOptions, term: Terminal): Promise<number> {
  const port = options.port === undefined ? DEFAULT_PORT : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    term.err(`sbx: ${term.color.red("error[SBX5002]")}: --port takes a port number from 0 to 65535 (0: any free port), not '${options.port}'\n`);
    return EXIT.usage;
  }
  const root = await site(term);
  if (!root) return EXIT.usage;
  let served;
  try {
    served = await serveFolder(root, port);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "EADDRINUSE" ? "it is in use (pick another with --port, or 0 for any free port)" : `${err.code ?? ""} ${err.message}`.trim();
    term.err(`sbx: ${term.color.red("error[SBX5002]")}: cannot serve on port ${port}: ${why}\n`);
    return EXIT.usage;
  }
  term.out(`sbx playground: serving ${served.url} (press Ctrl-C to stop)\n`);
  if (options.open) openBrowser(served.url, term);
  await new Promise<void>((resolve) => {
    const stop = () => {
      void served.close().then(resolve);
      served.server.closeAllConnections();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return EXIT.ok;
}
