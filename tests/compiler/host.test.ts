import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadProgram } from "../../src/compiler/program.ts";
import { absolute, nodeHost } from "../../src/platform/node-host.ts";

const dir = mkdtempSync(join(tmpdir(), "sbx-host-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the disk's source host", () => {
  it("says why an entry file cannot be read, in the system's words", () => {
    const loop = absolute(join(dir, "loop.sbx"));
    symlinkSync(loop, loop);
    const folder = absolute(dir);
    const missing = absolute(join(dir, "missing.sbx"));
    const messages = loadProgram(nodeHost(), [loop, folder, missing]).diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(messages).toEqual([
      `SBX5001 cannot read ${loop}: too many symbolic links`,
      `SBX5001 cannot read ${folder}: it is a directory`,
      `SBX5001 cannot read ${missing}: no such file`,
    ]);
  });

  it("reads what is there", () => {
    const file = absolute(join(dir, "ok.sbx"));
    writeFileSync(file, "scenario s { population { honest = 2 } }\n");
    expect(loadProgram(nodeHost(), [file]).diagnostics).toEqual([]);
  });
});
