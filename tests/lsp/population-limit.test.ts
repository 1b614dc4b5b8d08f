/**
 * The editor survives anything typed: a population count grown one digit at a
 * time past the compiler's limit is a diagnostic (SBX3016), never an
 * out-of-memory abort of the server (issue #11, item 23).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LspClient } from "../support/lsp.ts";

let client: LspClient;

beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client.stop();
  expect(client.stderr).toBe("");
});

describe("limits in the language server", () => {
  it("typing seven 0s after `honest = 2` reports the population limit and keeps serving", async () => {
    const uri = await client.open("crowd.sbx", "scenario crowd {\n  epochs = 1\n  population { honest = 2 }\n}\n");
    expect(await client.diagnostics(uri)).toEqual([]);
    const at = client.text(uri).indexOf("2 }") + 1;
    const codes: string[][] = [];
    for (let i = 0; i < 7; i++) {
      await client.edit(uri, at + i, at + i, "0");
      codes.push((await client.diagnostics(uri)).map((d) => String(d.code)));
    }
    expect(client.text(uri)).toContain("honest = 20000000 }");
    // 2,000,000 and 20,000,000 agents are over the limit; the counts below it compile.
    expect(codes.slice(0, 5).every((c) => !c.includes("SBX3016"))).toBe(true);
    expect(codes[5]).toContain("SBX3016");
    expect(codes[6]).toContain("SBX3016");
    const [limit] = (await client.diagnostics(uri)).filter((d) => d.code === "SBX3016");
    expect(limit!.message).toBe("the population has 20,000,000 agents; at most 1,000,000 are allowed");
    // Still serving: back below the limit, the file is clean again.
    expect(client.exitCode).toBeNull();
    await client.edit(uri, at, at + 7, "");
    expect(await client.diagnostics(uri)).toEqual([]);
    await client.close(uri);
  });

  it("a seed range of a hundred million is a diagnostic, at once", async () => {
    const uri = await client.open("seeds.sbx", "scenario s {\n  population { honest = 2 }\n  expect {\n    seeds = 1..100000000\n    calm: mean(toxicity) < 1\n  }\n}\n");
    const diagnostics = await client.diagnostics(uri);
    expect(diagnostics.map((d) => d.code)).toEqual(["SBX3017"]);
    await client.close(uri);
  });
});
