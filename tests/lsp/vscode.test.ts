/**
 * The VS Code extension's static parts: the TextMate grammar (scope tests
 * with vscode-tmgrammar-test, and its keywords against the lexer's), the
 * language configuration, the problem matcher against real `sbx compile`
 * output, and how the client finds the sbx executable.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KEYWORD_WORDS } from "../../language/tokens.ts";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { commandExists, serverCommand, SettingError } from "../../lsp/vscode/src/command.mts";
import { ServerController, type Client, type ControllerHost } from "../../lsp/vscode/src/controller.mts";
import type { ServerCommand } from "../../lsp/vscode/src/command.mts";
import { sbx } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";

const EXT = join(ROOT, "lsp/vscode");
const manifest = JSON.parse(readFileSync(join(EXT, "package.json"), "utf8"));
const grammar = JSON.parse(readFileSync(join(EXT, "syntaxes/sbx.tmLanguage.json"), "utf8"));
const scratch = mkdtempSync(join(tmpdir(), "sbx-vscode-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The words of `\b(a|b|c)\b` patterns. */
const words = (pattern: string) => [...pattern.matchAll(/\((?:\?:)?([a-z|]+)\)/g)].flatMap((m) => m[1]!.split("|"));

describe("TextMate grammar", () => {
  it("passes its scope tests (lsp/vscode/test/*.test.sbx)", () => {
    const bin = join(ROOT, "node_modules/vscode-tmgrammar-test/dist/unit.js");
    const r = spawnSync(process.execPath, [bin, "--config", join(EXT, "package.json"), join(EXT, "test/*.test.sbx")], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout + r.stderr).toContain("run successfuly");
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("colours exactly the lexer's keywords (plus the contextual `vary` and `by`)", () => {
    const patterns: { match: string }[] = grammar.repository.keywords.patterns;
    const keywords = patterns.filter((p) => !p.match.includes("vary") && !p.match.includes("by")).flatMap((p) => words(p.match));
    expect(keywords.sort()).toEqual([...KEYWORD_WORDS].sort());
    // A block header never starts with a keyword.
    const excluded = /\(\?!\(\?:([a-z|]+)\)/.exec(grammar.repository["block-header"].match)![1]!.split("|");
    expect(excluded.sort()).toEqual([...KEYWORD_WORDS].sort());
  });

  it("is registered for .sbx under source.sbx", () => {
    expect(grammar.scopeName).toBe("source.sbx");
    expect(manifest.contributes.languages[0].extensions).toEqual([".sbx"]);
    expect(manifest.contributes.grammars[0]).toMatchObject({ language: "sbx", scopeName: "source.sbx", path: "./syntaxes/sbx.tmLanguage.json" });
  });
});

describe("language configuration", () => {
  const config = JSON.parse(readFileSync(join(EXT, "language-configuration.json"), "utf8"));
  it("declares comments, brackets and auto-closing quotes", () => {
    expect(config.comments).toEqual({ lineComment: "//", blockComment: ["/*", "*/"] });
    expect(config.brackets).toEqual([["{", "}"], ["[", "]"], ["(", ")"]]);
    const opens = config.autoClosingPairs.map((p: { open: string }) => p.open);
    expect(opens).toEqual(expect.arrayContaining(["{", "[", "(", '"', '"""']));
  });
});

describe("problem matcher", () => {
  it("matches every diagnostic line of `sbx compile`", () => {
    const file = join(scratch, "bad.sbx");
    writeFileSync(file, 'scenario s {\n  population { honest = 2 }\n  seeed = 1\n  governance { transaction_tax { rate = 60% } }\n}\n');
    const r = sbx(["compile", file], { cwd: scratch });
    expect(r.code).toBe(1);
    const matcher = manifest.contributes.problemMatchers[0];
    const regexp = new RegExp(matcher.pattern.regexp);
    const lines = r.stderr.split("\n").filter((l) => /\[SBX\d{4}\]/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const matches = lines.map((l) => regexp.exec(l));
    expect(matches.every(Boolean)).toBe(true);
    const first = matches[0]!;
    expect(first[matcher.pattern.file]).toBe("bad.sbx");
    expect([first[matcher.pattern.line], first[matcher.pattern.column], first[matcher.pattern.severity], first[matcher.pattern.code]]).toEqual(["3", "3", "error", "SBX2002"]);
    expect(matches.map((m) => m![matcher.pattern.severity])).toContain("warning");
  });
});

describe("client", () => {
  it("runs the workspace's sbx, else the configured one, else sbx on the PATH", () => {
    const folder = join(scratch, "ws");
    mkdirSync(join(folder, "node_modules/.bin"), { recursive: true });
    writeFileSync(join(folder, "node_modules/.bin/sbx"), "");
    expect(serverCommand("sbx", [folder], "linux")).toEqual({ command: join(folder, "node_modules/.bin/sbx"), args: [] });
    expect(serverCommand("sbx", [join(scratch, "empty")], "linux")).toEqual({ command: "sbx", args: [] });
    expect(serverCommand("/opt/sbx/dist/sbx.mjs", [folder])).toEqual({ command: "node", args: ["/opt/sbx/dist/sbx.mjs"] });
    expect(serverCommand("/usr/local/bin/sbx", [folder])).toEqual({ command: "/usr/local/bin/sbx", args: [] });
  });

  it("starts `sbx lsp --stdio` from the manifest's entry point", () => {
    const source = readFileSync(join(EXT, "src/extension.ts"), "utf8");
    expect(source).toContain('"lsp", "--stdio"');
    expect(manifest.main).toBe("./dist/extension.js");
    expect(manifest.contributes.configuration.properties["sbx.path"].default).toBe("sbx");
  });
});

describe("sbx.path", () => {
  const folder = join(scratch, "paths");
  mkdirSync(folder, { recursive: true });

  it("expands ${workspaceFolder}, ${userHome}, ~ and paths relative to the workspace folder", () => {
    expect(serverCommand("${workspaceFolder}/node_modules/.bin/sbx", [folder])).toEqual({ command: join(folder, "node_modules/.bin/sbx"), args: [] });
    expect(serverCommand("${workspaceFolder}/dist/sbx.mjs", [folder])).toEqual({ command: "node", args: [join(folder, "dist/sbx.mjs")] });
    expect(serverCommand("${workspaceFolder:paths}/bin/sbx", ["/elsewhere", folder])).toEqual({ command: join(folder, "bin/sbx"), args: [] });
    expect(serverCommand("./tools/sbx", [folder])).toEqual({ command: join(folder, "tools/sbx"), args: [] });
    expect(serverCommand("node_modules/sbx/dist/sbx.mjs", [folder])).toEqual({ command: "node", args: [join(folder, "node_modules/sbx/dist/sbx.mjs")] });
    expect(serverCommand("~/bin/sbx", [folder]).command).toMatch(/\/bin\/sbx$/);
    expect(serverCommand("~/bin/sbx", [folder]).command.startsWith("~")).toBe(false);
    expect(serverCommand("my-sbx", [folder])).toEqual({ command: "my-sbx", args: [] });
  });

  it("says what is wrong with a setting that cannot name a file, instead of crashing", () => {
    expect(() => serverCommand("${workspaceFolder}/bin/sbx", [])).toThrow(SettingError);
    expect(() => serverCommand("${workspaceFolder}/bin/sbx", [])).toThrow(/no folder is open/);
    expect(() => serverCommand("./sbx", [])).toThrow(/relative path/);
    expect(() => serverCommand("${workspaceFolder:other}/sbx", [folder])).toThrow(/'other'/);
  });

  it("finds commands on the PATH and files by path", () => {
    expect(commandExists(process.execPath)).toBe(true);
    expect(commandExists("node")).toBe(true);
    expect(commandExists(join(folder, "missing-sbx"))).toBe(false);
    expect(commandExists("surely-no-such-command-sbx")).toBe(false);
  });
});

/**
 * A client with vscode-languageclient's rules (a failed start leaves it in
 * StartFailed; stopping a client that is not running throws "Client is not
 * running…"; a failed client never starts again), which really spawns the
 * server and initializes it over stdio.
 */
class StdioClient implements Client {
  state: "initial" | "starting" | "running" | "startFailed" | "stopped" = "initial";
  child: ChildProcess | null = null;
  private connection: MessageConnection | null = null;
  private onStart: Promise<void> | null = null;

  constructor(private readonly command: ServerCommand) {}

  needsStop(): boolean {
    return this.state === "starting" || this.state === "running";
  }

  start(): Promise<void> {
    if (this.onStart) return this.onStart;
    this.state = "starting";
    this.onStart = (async () => {
      try {
        const child = spawn(this.command.command === "node" ? process.execPath : this.command.command, [...this.command.args, "lsp", "--stdio"], { stdio: "pipe" });
        this.child = child;
        await new Promise<void>((resolve, reject) => {
          child.once("spawn", resolve);
          child.once("error", reject);
        });
        const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
        connection.listen();
        this.connection = connection;
        const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`the server exited with code ${code}`))));
        await Promise.race([connection.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} }), exited]);
        this.state = "running";
      } catch (e) {
        this.state = "startFailed";
        throw e;
      }
    })();
    return this.onStart;
  }

  async stop(): Promise<void> {
    if (this.state === "stopped" || this.state === "initial") return;
    if (this.state !== "running" || !this.connection) throw new Error(`Client is not running and can't be stopped. It's current state is: ${this.state}`);
    const exited = new Promise((resolve) => this.child!.once("exit", resolve));
    await this.connection.sendRequest("shutdown");
    await this.connection.sendNotification("exit");
    await exited;
    this.connection.dispose();
    this.state = "stopped";
  }
}

describe("the extension's server controller", () => {
  function harness(path: string, folders: string[] = [ROOT]) {
    const settings = { path, folders };
    const errors: string[] = [];
    const clients: StdioClient[] = [];
    const host: ControllerHost = {
      settings: () => settings,
      createClient: (command) => {
        const c = new StdioClient(command);
        clients.push(c);
        return c;
      },
      showError: (message) => {
        errors.push(message);
        return Promise.resolve(undefined);
      },
      openSettings: () => undefined,
    };
    return { controller: new ServerController(host), settings, errors, clients };
  }

  it("explains how to install or point to sbx when it is missing, and a restart recovers once it is set", async () => {
    const { controller, settings, errors, clients } = harness(join(scratch, "nowhere/sbx"));
    expect(await controller.restart()).toBe(false);
    expect(errors.at(-1)).toMatch(/cannot find the sbx executable/);
    expect(errors.at(-1)).toMatch(/npm install --save-dev sbx/);
    expect(errors.at(-1)).toMatch(/sbx\.path/);
    // Deactivating or restarting after a failure does not throw.
    await expect(controller.stop()).resolves.toBeUndefined();
    settings.path = "${workspaceFolder}/dist/sbx.mjs";
    expect(await controller.restart()).toBe(true);
    expect(controller.running).toBe(true);
    await controller.stop();
    expect(clients.at(-1)!.state).toBe("stopped");
    expect(clients.at(-1)!.child!.exitCode).toBe(0);
  });

  it("recovers from a server that fails to start, and stops cleanly after", async () => {
    const broken = join(scratch, "broken-sbx");
    writeFileSync(broken, "#!/bin/sh\necho 'no such command: lsp' >&2\nexit 2\n", { mode: 0o755 });
    const { controller, settings, errors, clients } = harness(broken);
    expect(await controller.restart()).toBe(false);
    expect(clients[0]!.state).toBe("startFailed");
    // The library itself would throw here: the controller must not.
    await expect(clients[0]!.stop()).rejects.toThrow(/not running/);
    expect(errors.at(-1)).toMatch(/did not start/);
    expect(await controller.restart()).toBe(false);
    settings.path = join(ROOT, "dist/sbx.mjs");
    expect(await controller.restart()).toBe(true);
    // A settings change while running: the old server stops, a new one starts.
    expect(await controller.restart()).toBe(true);
    expect(clients.at(-2)!.state).toBe("stopped");
    await controller.stop();
    await controller.stop();
    expect(clients.at(-1)!.state).toBe("stopped");
  });

  it("reports a ${workspaceFolder} setting with no folder open instead of crashing", async () => {
    const { controller, errors, clients } = harness("${workspaceFolder}/dist/sbx.mjs", []);
    expect(await controller.restart()).toBe(false);
    expect(errors.at(-1)).toMatch(/no folder is open/);
    expect(clients).toEqual([]);
  });
});
