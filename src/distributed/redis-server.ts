/**
 * A private `redis-server` on a free 127.0.0.1 port, for the tests and the
 * benchmark: persisted with an append-only file (fsync on every write), as
 * docs/distributed.md asks of a production Redis, so that it can be
 * restarted mid-sweep and come back with every job and row.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface LocalRedis {
  readonly port: number;
  /** redis://127.0.0.1:port/0 (no credentials: pass the password separately). */
  readonly url: string;
  readonly dir: string;
  /**
   * Stops the server — with SIGKILL when `crash`, as a power cut would, else
   * with a clean shutdown — and starts it again on the same port and data.
   */
  restart(options?: { crash?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** Where redis-server is, or null. */
export function redisServerPath(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  for (const dir of (env["PATH"] ?? "").split(delimiter).concat(["/usr/bin", "/usr/local/bin"])) {
    if (!dir) continue;
    const candidate = join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function launch(binary: string, args: readonly string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (/Ready to accept connections/.test(output)) {
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.resume();
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startLocalRedis(options: { password?: string } = {}): Promise<LocalRedis> {
  const binary = redisServerPath();
  if (!binary) throw new Error("redis-server is not installed (apt-get install redis-server)");
  const dir = mkdtempSync(join(tmpdir(), "sbx-redis-"));
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const args = [
      "--port", String(port),
      "--bind", "127.0.0.1",
      "--dir", dir,
      "--appendonly", "yes",
      "--appendfsync", "always",
      "--save", "",
      "--loglevel", "notice",
      ...(options.password ? ["--requirepass", options.password] : []),
    ];
    let child: ChildProcess;
    try {
      child = await launch(binary, args);
    } catch (e) {
      // Another process took the port between our probe and redis-server's bind: try another.
      lastError = e;
      continue;
    }
    const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
      child.kill(signal);
      await exited(child);
    };
    return {
      port,
      url: `redis://127.0.0.1:${port}/0`,
      dir,
      async restart({ crash = false } = {}) {
        await stop(crash ? "SIGKILL" : "SIGTERM");
        child = await launch(binary, args);
      },
      async stop() {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error("could not start redis-server");
}
