/**
 * The language server, driven as an editor drives it: `sbx lsp --stdio` in a
 * child process, JSON-RPC over its pipes, one server for every case. Cursor
 * positions are written `<|>` and ranges `<|…|>` in the case text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { format } from "../../language/format.ts";
import { LspClient, marked, type LspDiagnostic } from "../support/lsp.ts";

let client: LspClient;
let counter = 0;

beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client.stop();
  expect(client.stderr).toBe("");
});

interface Item {
  label: string;
  detail?: string;
  documentation?: { value: string };
  textEdit?: { newText: string; range: unknown };
  insertText?: string;
}
type Pos = { line: number; character: number };
type Rng = { start: Pos; end: Pos };

/** Open `source` (with markers) as a new document; returns its uri and the marker offsets. */
async function open(source: string, name = `case${++counter}.sbx`) {
  const m = marked(source);
  const uri = await client.open(name, m.text);
  return { uri, ...m };
}

async function labels(uri: string, offset: number): Promise<string[]> {
  const items = (await client.at<Item[] | null>("textDocument/completion", uri, offset)) ?? [];
  return items.map((i) => i.label);
}

async function completion(source: string): Promise<string[][]> {
  const { uri, cursors } = await open(source);
  const out: string[][] = [];
  for (const c of cursors) out.push(await labels(uri, c));
  await client.close(uri);
  return out;
}

const rangeOf = (uri: string, span: { start: number; end: number }): Rng => ({ start: client.position(uri, span.start), end: client.position(uri, span.end) });

describe("diagnostics", () => {
  it("publishes the compiler's diagnostics with codes, links, severities and exact ranges", async () => {
    const { uri, ranges } = await open(`scenario s {
  profile = "swarm-0.1"
  <|colour|> = 3
  governance {
    transaction_tax { rate = <|60%|> }
  }
  tasks { per_epoch = 1 }
}
`);
    const diagnostics = await client.diagnostics(uri);
    const byCode = (code: string) => diagnostics.filter((d) => d.code === code);
    const unknown = byCode("SBX2002")[0]!;
    expect(unknown.severity).toBe(1);
    expect(unknown.range).toEqual(rangeOf(uri, ranges[0]!));
    expect(unknown.source).toBe("sbx");
    expect(unknown.codeDescription?.href).toMatch(/^file:\/\/.*\/docs\/diagnostics\.md#sbx2002$/);
    const advised = byCode("SBX3002")[0]!;
    expect(advised.severity).toBe(2);
    expect(advised.range).toEqual(rangeOf(uri, ranges[1]!));
    expect(byCode("SBX3003").every((d) => d.severity === 3)).toBe(true);
    expect(byCode("SBX3003").length).toBeGreaterThan(0);
    await client.close(uri);
  });

  it("is up to date after incremental edits", async () => {
    const { uri, text } = await open("scenario s {\n  population { honest = 2 }\n  seeed = 1\n}\n");
    expect((await client.diagnostics(uri)).map((d) => d.code)).toEqual(["SBX2002"]);
    const at = text.indexOf("seeed");
    await client.edit(uri, at + 2, at + 3, "");
    expect(await client.diagnostics(uri)).toEqual([]);
    const close = client.text(uri).lastIndexOf("}");
    await client.edit(uri, close, close, "  epochs = -1\n");
    expect((await client.diagnostics(uri)).map((d) => d.code)).toEqual(["SBX3001"]);
    await client.close(uri);
  });

  it("reports syntax errors of a broken file and recovers when it is fixed", async () => {
    const { uri } = await open("scenario s {\n  network {\n    topology = \n");
    const broken = await client.diagnostics(uri);
    expect(broken.map((d) => d.code)).toEqual(expect.arrayContaining(["SBX1005"]));
    await client.replace(uri, "scenario s {\n  population { honest = 2 }\n  network { topology = ring }\n}\n");
    expect(await client.diagnostics(uri)).toEqual([]);
    await client.close(uri);
  });
});

describe("completion", () => {
  it("block kinds and attributes not yet set, with their docs", async () => {
    const { uri, cursors } = await open(`scenario s {
  epochs = 3
  population { honest = 2 }
  <|>
}
`);
    const items = (await client.at<Item[]>("textDocument/completion", uri, cursors[0]!)) ?? [];
    const names = items.map((i) => i.label);
    expect(names).toEqual(expect.arrayContaining(["seed", "steps", "profile", "governance", "network", "expect"]));
    expect(names).not.toContain("epochs");
    expect(names).not.toContain("population");
    const seed = items.find((i) => i.label === "seed")!;
    expect(seed.detail).toContain("default 42");
    expect(seed.documentation?.value).toContain("Root seed");
    const governance = items.find((i) => i.label === "governance")!;
    expect(governance.documentation?.value).toContain("Governance levers");
    await client.close(uri);
  });

  it("top level, governance levers, population kinds and policies", async () => {
    const [top, levers, population] = await completion(`import "std/policies" { lurker }
policy spender { accept = 90% }
<|>
scenario s {
  governance { audit { probability = 10% }
    <|>
  }
  population { <|> }
}
`);
    expect(top).toEqual(expect.arrayContaining(["scenario", "persona", "policy", "sweep", "governance", "import"]));
    expect(levers).toEqual(expect.arrayContaining(["transaction_tax", "circuit_breaker", "collusion"]));
    expect(levers).not.toContain("audit");
    expect(population).toEqual(expect.arrayContaining(["honest", "adversarial", "llm", "spender", "lurker"]));
  });

  it("enum values, booleans, personas and distributions", async () => {
    const [distribution, topology, profile, mode, persona, enabled, unit] = await completion(`persona careful { prompt = "be careful" }
policy p { observables { task_progress = <|> } }
scenario s {
  network { topology = <|> }
  profile = <|>
  mode = "sy<|>"
  population { llm bot { persona = <|> } }
  governance { staking { enabled = <|> } }
  governance { circuit_breaker { freeze = 2 <|> } }
}
`);
    expect(distribution).toEqual(expect.arrayContaining(["uniform", "randint"]));
    expect(topology).toEqual(expect.arrayContaining(["complete", "small_world", "scale_free"]));
    expect(profile).toEqual(expect.arrayContaining(['"swarm-0.1"', "sbx"]));
    expect(mode).toEqual(expect.arrayContaining(["sync", "async", "auto"]));
    expect(persona).toEqual(expect.arrayContaining(["honest", "strategic", "open", "careful"]));
    expect(enabled).toEqual(["true", "false"]);
    expect(unit).toEqual(["epochs"]);
  });

  it("inside a string, enum values are offered without quotes", async () => {
    const { uri, cursors } = await open('scenario s { profile = "sw<|>" }\n');
    const items = (await client.at<Item[]>("textDocument/completion", uri, cursors[0]!)) ?? [];
    const swarm = items.find((i) => i.label === '"swarm-0.1"')!;
    expect(swarm.textEdit?.newText).toBe("swarm-0.1");
    await client.close(uri);
  });

  it("metrics, aggregations, seed statistics, dotted metrics and selections in expect", async () => {
    const [operand, inCall, seeds, network, selection, always] = await completion(`scenario s {
  population { honest = 2   llm bots { count = 1 } }
  expect {
    a: <|>
    b: mean(<|>) < 1
    c: seeds.<|>(final(welfare) > 0) > 0.5
    d: max(network.<|>) < 3
    e: mean(payoff[<|>]) > 0
    f: always(toxicity < 0.5, <|>)
  }
}
`);
    expect(operand).toEqual(expect.arrayContaining(["toxicity", "welfare", "mean", "final", "always", "seeds", "network.edges"]));
    expect(inCall).toEqual(expect.arrayContaining(["toxicity", "quality_gap"]));
    expect(seeds).toEqual(["share", "mean", "min", "max", "std", "lower", "upper"]);
    expect(network).toEqual(expect.arrayContaining(["edges", "avg_degree", "avg_path_length"]));
    expect(network).not.toContain("toxicity");
    expect(selection).toEqual(expect.arrayContaining(["honest", "llm", "bots", "kind", "group", "agent"]));
    expect(always).toEqual(expect.arrayContaining(["from", "by", "toxicity"]));
  });

  it("extends targets, import paths and imported names", async () => {
    const [paths, names, scenarios, presets] = await completion(`import "std/governance"
import "std/<|>"
import "std/networks" { <|> }
scenario base { seed = 1 }
scenario s extends <|> {
  governance extends <|> {}
}
`);
    expect(paths).toEqual(expect.arrayContaining(["std/governance", "std/networks", "std/policies"]));
    expect(names).toEqual(expect.arrayContaining(["small_world_dynamic", "hubs"]));
    expect(scenarios).toEqual(expect.arrayContaining(["base"]));
    expect(presets).toEqual(expect.arrayContaining(["none", "moderate", "heavy", "anti_collusion"]));
  });

  it("dotted setting paths in sweeps and arms", async () => {
    const [arm, lever, vary] = await completion(`import "./base.sbx" { base }
sweep sw of base {
  arm strict { <|> }
  arm other { governance.audit.<|> = 20% }
  vary governance.<|>
}
`);
    expect(vary).toEqual(expect.arrayContaining(["transaction_tax", "audit"]));
    expect(arm).toEqual(expect.arrayContaining(["seed", "governance", "network"]));
    expect(lever).toEqual(expect.arrayContaining(["probability", "penalty_multiplier"]));
  });

  describe("in broken documents", () => {
    it("a half-typed attribute in an unclosed block", async () => {
      const [items] = await completion("scenario s {\n  network {\n    topo<|>");
      expect(items).toContain("topology");
    });

    it("a missing value at the end of the file", async () => {
      const [items] = await completion("scenario s {\n  network {\n    topology = <|>");
      expect(items).toContain("small_world");
    });

    it("a new line after an attribute whose value is missing", async () => {
      const [items] = await completion("scenario s {\n  seed =\n  <|>\n}\n");
      expect(items).toEqual(expect.arrayContaining(["epochs", "population"]));
    });

    it("after a dot with nothing following", async () => {
      const [items] = await completion("scenario s {\n  expect {\n    x: seeds.<|>");
      expect(items).toContain("share");
    });

    it("inside an unclosed selection bracket", async () => {
      const [items] = await completion("scenario s {\n  population { deceptive = 1 }\n  expect {\n    x: mean(payoff[<|>\n  }\n}\n");
      expect(items).toEqual(expect.arrayContaining(["deceptive", "kind"]));
    });

    it("after garbage and stray braces", async () => {
      const [items] = await completion("@@ }} ;\nscenario s {\n  ) ]\n  gov<|>\n}\n");
      expect(items).toContain("governance");
    });

    it("inside an unterminated string", async () => {
      const [items] = await completion('scenario s {\n  profile = "swa<|>\n}\n');
      expect(items).toContain('"swarm-0.1"');
    });
  });

  it("offers nothing inside comments", async () => {
    const [line, block] = await completion("// scen<|>\n/* gov<|> */\n");
    expect(line).toEqual([]);
    expect(block).toEqual([]);
  });
});

describe("hover", () => {
  const hoverText = async (uri: string, offset: number) => (await client.at<{ contents: { value: string } } | null>("textDocument/hover", uri, offset))?.contents.value ?? null;

  it("documents attributes, blocks, metrics, functions and referenced declarations", async () => {
    const { uri, cursors } = await open(`import "std/governance" { moderate }
persona careful {
  description = "Checks everything twice"
  prompt = "Be careful."
}
scenario s {
  gover<|>nance extends mod<|>erate {
    transaction_tax { ra<|>te = 5% }
  }
  population { llm bot { persona = care<|>ful } }
  network { topology = small<|>_world }
  expect {
    x: me<|>an(toxi<|>city) <= 0.5
    y: max(network.ed<|>ges) > 0
  }
}
`);
    const [block, preset, rate, persona, topology, fn, metric, dotted] = await Promise.all(cursors.map((c) => hoverText(uri, c)));
    expect(block).toContain("Governance levers");
    expect(preset).toContain("governance moderate");
    expect(preset).toContain("std/governance");
    expect(rate).toContain("Fraction of |τ| charged");
    expect(rate).toContain("default: 0");
    expect(rate).toContain("advised");
    expect(persona).toContain("Checks everything twice");
    expect(topology).toContain("Graph family");
    expect(fn).toContain("mean(series)");
    expect(metric).toContain("E[1 − p | accepted]");
    expect(dotted).toContain("network.edges");
    await client.close(uri);
  });

  it("answers null on whitespace", async () => {
    const { uri, cursors } = await open("scenario s {\n  <|>\n}\n");
    expect(await client.at("textDocument/hover", uri, cursors[0]!)).toBeNull();
    await client.close(uri);
  });
});

describe("what a new user hits first (issue 11)", () => {
  const hoverHeading = async (uri: string, offset: number) => (await client.at<{ contents: { value: string } } | null>("textDocument/hover", uri, offset))?.contents.value.split("\n")[0] ?? null;

  it("completes on a fresh line after a finished member, in a scenario, a criterion list and a population", async () => {
    const [fresh, population, criteria] = await completion(`scenario s {
  seed = 1
  epochs = 2
  <|>
  population { honest = 2
    <|>
  }
  expect {
    mean(toxicity) < 0.5
    <|>
  }
}
`);
    const [typed] = await completion(`scenario s {
  seed = 1
  epochs = 2
  sch<|>
  population { honest = 2 }
}
`);
    expect(fresh).toEqual(expect.arrayContaining(["steps", "schedule", "governance", "network"]));
    expect(fresh).not.toContain("epochs");
    expect(typed).toContain("schedule");
    expect(criteria).toEqual(expect.arrayContaining(["toxicity", "mean", "seeds"]));
    expect(population).toEqual(expect.arrayContaining(["honest", "adversarial", "llm"]));
  });

  it("hovers the attribute under the cursor, not its neighbour", async () => {
    const { uri, cursors } = await open(`scenario s {
  seed = 123   ep<|>ochs = 20
  network { topology = small_world   k_nei<|>ghbors = 4 }
}
`);
    expect(await hoverHeading(uri, cursors[0]!)).toMatch(/^\*\*scenario\.epochs\*\*/);
    expect(await hoverHeading(uri, cursors[1]!)).toMatch(/^\*\*network\.k_neighbors\*\*/);
    await client.close(uri);
  });

  it("completes an import path without a closing quote to a well-formed string", async () => {
    const { uri, text, cursors } = await open(`import "<|>
scenario s { seed = 1 }
`);
    const items = (await client.at<Item[]>("textDocument/completion", uri, cursors[0]!)) ?? [];
    const item = items.find((i) => i.label === "std/networks")!;
    expect(item).toBeDefined();
    const edit = item.textEdit as { range: Rng; newText: string };
    const lines = client.lines(uri);
    const applied = text.slice(0, lines.offset(edit.range.start)) + edit.newText + text.slice(lines.offset(edit.range.end));
    expect(applied.split("\n")[0]).toBe('import "std/networks"');
    await client.close(uri);
  });

  it("does not offer a scenario as its own base", async () => {
    const [bases] = await completion(`scenario base { seed = 1 }
scenario mine extends <|> {}
`);
    expect(bases).toContain("base");
    expect(bases).not.toContain("mine");
  });

  it("sends snippets only to clients that support them", async () => {
    const plain = await LspClient.start({ capabilities: {} });
    try {
      const m = marked("policy p { observables { task_progress = <|> } }\n");
      const uri = await plain.open("plain.sbx", m.text);
      const items = (await plain.at<(Item & { insertTextFormat?: number })[]>("textDocument/completion", uri, m.cursors[0]!)) ?? [];
      const uniform = items.find((i) => i.label === "uniform")!;
      expect(uniform).toBeDefined();
      expect(uniform.insertTextFormat).not.toBe(2);
      expect(uniform.insertText ?? uniform.textEdit?.newText).toBe("uniform(, )");
    } finally {
      await plain.stop();
    }
    // The usual client declares snippet support and gets tab stops.
    const { uri, cursors } = await open("policy p { observables { task_progress = <|> } }\n");
    const items = (await client.at<(Item & { insertTextFormat?: number })[]>("textDocument/completion", uri, cursors[0]!)) ?? [];
    expect(items.find((i) => i.label === "uniform")?.insertTextFormat).toBe(2);
    await client.close(uri);
  });

  it("honours the `only` filter of code actions", async () => {
    const uri = await client.open("only/fix.sbx", "scenario s {\n  population { honest = 2 }\n  seeed = 1\n}\n");
    const [d] = await client.diagnostics(uri);
    const ask = (only?: string[]) => client.request<{ kind: string }[]>("textDocument/codeAction", { textDocument: { uri }, range: d!.range, context: { diagnostics: [d], ...(only ? { only } : {}) } });
    expect((await ask()).map((a) => a.kind)).toEqual(["quickfix"]);
    expect((await ask(["quickfix"])).map((a) => a.kind)).toEqual(["quickfix"]);
    expect(await ask(["source"])).toEqual([]);
    expect(await ask(["refactor.extract"])).toEqual([]);
    await client.close(uri);
  });
});

describe("completion documentation on demand", () => {
  it("leaves documentation and detail out of the list for clients that resolve both (as VS Code), and resolves them", async () => {
    const lazy = await LspClient.start({ capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true, resolveSupport: { properties: ["documentation", "detail"] } } } } } });
    try {
      const m = marked("scenario s {\n  population { honest = 2 }\n  <|>\n}\n");
      const uri = await lazy.open("lazy.sbx", m.text);
      const items = (await lazy.at<(Item & { data?: unknown })[]>("textDocument/completion", uri, m.cursors[0]!)) ?? [];
      const seed = items.find((i) => i.label === "seed")!;
      expect(seed.detail).toBeUndefined();
      expect(seed.documentation).toBeUndefined();
      expect(items.every((i) => i.detail === undefined && i.documentation === undefined)).toBe(true);
      const resolved = await lazy.request<Item>("completionItem/resolve", seed);
      expect(resolved.documentation?.value).toContain("Root seed");
      expect(resolved.detail).toContain("default 42");
      expect(resolved.label).toBe("seed");
      // Another item of the same list resolves to its own detail, not the first one's.
      const governance = await lazy.request<Item>("completionItem/resolve", items.find((i) => i.label === "governance")!);
      expect(governance.documentation?.value).toContain("Governance levers");
      expect(governance.detail).not.toContain("default 42");
      expect(governance.detail).toBeTruthy();
    } finally {
      await lazy.stop();
    }
  });

  it("keeps the detail in the list for clients that resolve only documentation", async () => {
    const lazy = await LspClient.start({ capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true, resolveSupport: { properties: ["documentation"] } } } } } });
    try {
      const m = marked("scenario s {\n  population { honest = 2 }\n  <|>\n}\n");
      const uri = await lazy.open("lazy-docs.sbx", m.text);
      const items = (await lazy.at<(Item & { data?: unknown })[]>("textDocument/completion", uri, m.cursors[0]!)) ?? [];
      const seed = items.find((i) => i.label === "seed")!;
      expect(seed.detail).toContain("default 42");
      expect(seed.documentation).toBeUndefined();
      const resolved = await lazy.request<Item>("completionItem/resolve", seed);
      expect(resolved.documentation?.value).toContain("Root seed");
      expect(resolved.detail).toContain("default 42");
    } finally {
      await lazy.stop();
    }
  });
});

describe("completion lists with item defaults", () => {
  type Listed = Item & { data?: unknown; textEditText?: string; insertTextFormat?: number };
  interface List {
    isIncomplete: boolean;
    itemDefaults?: { editRange?: Rng; data?: unknown };
    items: Listed[];
  }

  it("sends one edit range and one data for the list to clients that take them (as VS Code), with each item's own text when it is not its label", async () => {
    const capabilities = {
      textDocument: {
        completion: {
          completionItem: { snippetSupport: true, resolveSupport: { properties: ["documentation", "detail"] } },
          completionList: { itemDefaults: ["editRange", "data"] },
        },
      },
    };
    const vscode = await LspClient.start({ capabilities });
    try {
      /** The text after accepting `item` of `list`, as the client applies it. */
      const accept = (uri: string, text: string, list: List, item: Listed) => {
        const range = list.itemDefaults!.editRange!;
        const lines = vscode.lines(uri);
        return text.slice(0, lines.offset(range.start)) + (item.textEditText ?? item.label) + text.slice(lines.offset(range.end));
      };
      const m = marked("policy p { observables { task_progress = unif<|> } }\n");
      const uri = await vscode.open("defaults.sbx", m.text);
      const list = (await vscode.at<List>("textDocument/completion", uri, m.cursors[0]!))!;
      expect(Array.isArray(list)).toBe(false);
      expect(list.isIncomplete).toBe(false);
      const uniform = list.items.find((i) => i.label === "uniform")!;
      expect(uniform).toMatchObject({ textEditText: "uniform($1, $2)", insertTextFormat: 2 });
      expect(accept(uri, m.text, list, uniform)).toBe("policy p { observables { task_progress = uniform($1, $2) } }\n");
      for (const item of list.items) {
        expect(item.textEdit).toBeUndefined();
        expect(item.data).toBeUndefined();
        expect(item.documentation).toBeUndefined();
        expect(item.detail).toBeUndefined();
      }
      // The client gives each item the list's data when it resolves one.
      const resolved = await vscode.request<Listed>("completionItem/resolve", { ...uniform, data: list.itemDefaults!.data });
      expect(resolved.documentation?.value).toContain("uniform(low, high)");
      expect(resolved.detail).toContain("uniform(");
      expect(resolved.textEditText).toBe("uniform($1, $2)");

      // Inside an unclosed string, the item's text replaces the string's inside and closes it.
      const i = marked('import "<|>\nscenario s { seed = 1 }\n');
      const imports = await vscode.open("defaults-import.sbx", i.text);
      const paths = (await vscode.at<List>("textDocument/completion", imports, i.cursors[0]!))!;
      const networks = paths.items.find((x) => x.label === "std/networks")!;
      expect(accept(imports, i.text, paths, networks).split("\n")[0]).toBe('import "std/networks"');
    } finally {
      await vscode.stop();
    }
  });
});

describe("navigation", () => {
  const COMMON = `persona careful { prompt = "Be careful." }
policy spender { accept = 90% }
scenario base { seed = 1 }
`;
  const MAIN = `import "./common.sbx" { careful, spender, base }
import "std/governance" { moderate }
scenario s extends base {
  population {
    spender = 2
    llm bots { persona = careful }
  }
  governance extends moderate {}
  expect {
    x: mean(payoff[bots]) > 0
  }
}
`;
  type Loc = { uri: string; range: Rng };

  it("goes to the definitions of personas, policies, scenarios, presets, groups and imports", async () => {
    const common = await client.open("nav/common.sbx", COMMON);
    const main = await client.open("nav/main.sbx", MAIN);
    const def = async (needle: string, nth = 0) => {
      let at = -1;
      for (let i = 0; i <= nth; i++) at = MAIN.indexOf(needle, at + 1);
      return (await client.at<Loc | null>("textDocument/definition", main, at + 1))!;
    };
    const persona = await def("careful", 1);
    expect(persona.uri).toBe(common);
    expect(persona.range.start).toEqual({ line: 0, character: 8 });
    expect((await def("spender", 1)).range.start).toEqual({ line: 1, character: 7 });
    expect((await def("base", 1)).range.start).toEqual({ line: 2, character: 9 });
    expect((await def("careful")).uri).toBe(common);
    const preset = await def("moderate", 1);
    expect(preset.uri).toMatch(/stdlib\/governance\.sbx$/);
    const group = await def("bots", 1);
    expect(group.uri).toBe(main);
    expect(group.range.start).toEqual(client.position(main, MAIN.indexOf("bots")));
    const module = await def("./common.sbx");
    expect(module.uri).toBe(common);
    await client.close(main);
    await client.close(common);
  });

  it("finds references across open files", async () => {
    const common = await client.open("refs/common.sbx", COMMON);
    const main = await client.open("refs/main.sbx", MAIN);
    const refs = await client.at<Loc[]>("textDocument/references", common, COMMON.indexOf("careful"), { context: { includeDeclaration: true } });
    expect(refs.map((r) => `${r.uri.split("/").pop()}:${r.range.start.line}:${r.range.start.character}`).sort()).toEqual(["common.sbx:0:8", "main.sbx:0:24", "main.sbx:5:25"]);
    await client.close(main);
    await client.close(common);
  });

  it("renames a declaration across open and imported files", async () => {
    const common = await client.open("rename/common.sbx", COMMON);
    const main = await client.open("rename/main.sbx", MAIN);
    const prepared = await client.at<{ range: Rng; placeholder: string }>("textDocument/prepareRename", main, MAIN.indexOf("spender = 2"));
    expect(prepared.placeholder).toBe("spender");
    const edit = await client.at<{ changes: Record<string, { range: Rng; newText: string }[]> }>("textDocument/rename", main, MAIN.indexOf("spender = 2"), { newName: "big_spender" });
    expect(edit.changes[common]!.length).toBe(1);
    expect(edit.changes[main]!.length).toBe(2);
    expect(Object.values(edit.changes).flat().every((e) => e.newText === "big_spender")).toBe(true);
    await client.close(main);
    await client.close(common);
  });

  it("refuses to rename standard-library declarations with a clear error", async () => {
    const { uri, cursors } = await open("scenario s {\n  population { llm { persona = op<|>en } }\n}\n");
    await expect(client.at("textDocument/prepareRename", uri, cursors[0]!)).rejects.toThrow(/standard library/);
    await expect(client.at("textDocument/rename", uri, cursors[0]!, { newName: "mine" })).rejects.toThrow(/standard library/);
    await client.close(uri);
  });
});

describe("editing aids", () => {
  const SOURCE = `// A header comment
// on two lines.
persona careful {
  prompt = """
    Be careful.
    """
}

scenario s {
  population { llm bot { persona = careful } }
  network {
    topology = small_world
  }
  governance { circuit_breaker { freeze = 2 epochs } }
  expect {
    x: mean(toxicity) <= 0.5
  }
}
`;

  it("outlines declarations and their blocks", async () => {
    const uri = await client.open("aids/symbols.sbx", SOURCE);
    const symbols = await client.request<{ name: string; detail?: string; children?: { name: string }[] }[]>("textDocument/documentSymbol", { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(["careful", "s"]);
    expect(symbols[1]!.children!.map((c) => c.name)).toEqual(["population", "network", "governance", "expect"]);
    await client.close(uri);
  });

  it("folds block bodies, comment runs and triple-quoted text", async () => {
    const uri = await client.open("aids/folding.sbx", SOURCE);
    const ranges = await client.request<{ startLine: number; endLine: number; kind?: string }[]>("textDocument/foldingRange", { textDocument: { uri } });
    const lines = ranges.map((r) => `${r.startLine}-${r.endLine}${r.kind ? `:${r.kind}` : ""}`);
    expect(lines).toEqual(expect.arrayContaining(["0-1:comment", "2-5", "3-5:region", "8-16", "10-11", "14-15"]));
    await client.close(uri);
  });

  it("classifies names, keys, values, metrics and numbers with semantic tokens", async () => {
    const uri = await client.open("aids/tokens.sbx", SOURCE);
    const legend = { types: ["keyword", "type", "class", "property", "enumMember", "variable", "function", "number", "parameter"], mods: ["declaration", "defaultLibrary", "readonly"] };
    const { data } = await client.request<{ data: number[] }>("textDocument/semanticTokens/full", { textDocument: { uri } });
    const tokens: Record<string, string> = {};
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!;
      char = data[i] === 0 ? char + data[i + 1]! : data[i + 1]!;
      const text = SOURCE.split("\n")[line]!.slice(char, char + data[i + 2]!);
      const mods = legend.mods.filter((_, b) => data[i + 4]! & (1 << b));
      tokens[text] = [legend.types[data[i + 3]!], ...mods].join("+");
    }
    expect(tokens["careful"]).toMatch(/^class/);
    expect(tokens["network"]).toBe("type");
    expect(tokens["topology"]).toBe("property");
    expect(tokens["small_world"]).toBe("enumMember");
    expect(tokens["toxicity"]).toBe("variable+readonly");
    expect(tokens["mean"]).toBe("function");
    expect(tokens["2 epochs"]).toBe("number");
    expect(tokens["x"]).toBe("parameter+declaration");
    await client.close(uri);
  });

  it("formats with the same formatter as sbx fmt", async () => {
    const text = "scenario s{seed=1\n  epochs=2 // two\n}\n";
    const uri = await client.open("aids/format.sbx", text);
    const edits = await client.request<{ range: Rng; newText: string }[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    const expected = format(text, "/f.sbx");
    expect("text" in expected && edits.length === 1 && edits[0]!.newText).toBe("text" in expected ? expected.text : "");
    const broken = await client.open("aids/format-broken.sbx", "scenario s {\n");
    expect(await client.request("textDocument/formatting", { textDocument: { uri: broken }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
    await client.close(uri);
    await client.close(broken);
  });

  it("offers a quick fix for every diagnostic that suggests a name, and each fix removes it", async () => {
    const source = `import "std/governance" { moderat }
persona careful { prompt = "x" }
scenario s {
  seeed = 1
  profile = sbxx
  netwrk { }
  population { honnest = 2   llm { persona = carefull } }
  governance { audit_ { probability = 10% } }
  network { topology = smal_world }
  expect {
    x: mean(toxicty) <= 0.5
    y: meen(toxicity) <= 0.5
  }
}
`;
    const uri = await client.open("aids/fixes.sbx", source);
    const diagnostics = await client.diagnostics(uri);
    const suggesting = diagnostics.filter((d) => d.message.includes("did you mean"));
    expect(suggesting.length).toBeGreaterThanOrEqual(10);
    for (const d of suggesting) {
      const actions = await client.request<{ title: string; kind: string; edit: { changes: Record<string, { range: Rng; newText: string }[]> } }[]>("textDocument/codeAction", {
        textDocument: { uri },
        range: d.range,
        context: { diagnostics: [d] },
      });
      const fix = actions.find((a) => a.kind === "quickfix" && d.message.includes(`'${a.edit.changes[uri]?.[0]?.newText.replace(/^"|"$/g, "")}'`));
      expect(fix, `${d.code} ${d.message}`).toBeDefined();
      const edit = fix!.edit.changes[uri]![0]!;
      const lines = client.lines(uri);
      const start = lines.offset(edit.range.start);
      const end = lines.offset(edit.range.end);
      const version = await client.edit(uri, start, end, edit.newText);
      const after = await client.diagnostics(uri, version);
      expect(after.some((x) => sameDiagnostic(x, d, edit.newText.length - (end - start)))).toBe(false);
    }
    await client.close(uri);
  });
});

/** The same diagnostic after an edit that shifted nothing before it on its line (fixes edit the diagnostic's own span). */
function sameDiagnostic(a: LspDiagnostic, b: LspDiagnostic, _delta: number): boolean {
  return a.code === b.code && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
}
