/**
 * For the queued-sweep tests: a real redis-server (src/distributed/redis-server.ts),
 * `sbx worker` processes, and `sbx` commands run asynchronously so a test
 * can act while they run. Every output of every process is kept, so a test
 * can check that a secret never appears in any of it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { hostname } from "node:os";
import { describe, it } from "vitest";
import { redisServerPath } from "../../src/distributed/redis-server.ts";
import { SBX_BIN } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";

export const REDIS_SERVER = redisServerPath();
const IN_CI = process.env["CI"] === "true";

/**
 * `describe` when redis-server is installed. Without it the tests are
 * skipped with a message — except under CI=true, where its absence fails.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (REDIS_SERVER) {
    describe(name, body);
    return;
  }
  if (IN_CI) {
    describe(name, () => {
      it("needs redis-server", () => {
        throw new Error("redis-server is not installed: .ci/run installs it (apt-get install redis-server)");
      });
    });
    return;
  }
  console.warn(`skipping "${name}": redis-server is not installed (apt-get install redis-server; .ci/run installs it)`);
  describe.skip(name, body);
}

/** Everything any process printed, for the secrets check. */
export const transcript: string[] = [];

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<Finished>;
  stdout(): string;
  stderr(): string;
}

export function start(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Running {
  const child = spawn(process.execPath, [SBX_BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", CI: "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      transcript.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** `sbx …` to its end. */
export function sbxAsync(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Finished> {
  return start(args, options).done;
}

export interface WorkerProcess extends Running {
  /** The name the worker gives BullMQ: host/pid. */
  readonly name: string;
}

/** Starts `sbx worker` and waits until it serves the queue. */
export async function startWorker(url: string, env: Record<string, string>, extra: readonly string[] = []): Promise<WorkerProcess> {
  const running = start(["worker", "--queue", url, "--concurrency", "1", "--verbose", ...extra], { env });
  const name = `${hostname()}/${running.child.pid}`;
  await until(() => running.stderr().includes(`sbx worker ${name}`) || running.child.exitCode !== null, 60_000);
  if (running.child.exitCode !== null) throw new Error(`sbx worker exited: ${running.stderr()}`);
  return { ...running, name };
}

export async function stopWorker(w: Running): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGTERM");
  await w.done;
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 60_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
