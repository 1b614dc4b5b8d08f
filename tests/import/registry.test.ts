/**
 * The importer and the registry agree: the YAML key of every setting is the
 * `reference` its mechanism's language.ts gives it, and nothing else. Each
 * test walks the registry itself, so renaming a `reference` changes what
 * `sbx import` accepts with no other edit — and an importer that kept its own
 * copy of a key name would fail here.
 */
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { importAndVerify, importYaml, keysAt, TARGETS } from "../../src/import/index.ts";
import { ALIASES, NEVER_APPLIED, STYLES } from "../../src/import/schema.ts";
import { SCENARIO } from "../../src/registry/blocks.ts";
import type { AttrSpec, BlockSpec, PlainValue } from "../../src/registry/types.ts";
import { body, compileText, host, ROOT } from "./helpers.ts";

const FILE = `${ROOT}/tests/import/in-memory/registry.yaml`;

interface Keyed {
  readonly yaml: string;
  readonly block: readonly string[];
  readonly spec: BlockSpec;
  readonly attr: AttrSpec;
  /** The key is the block's switch (a block-level `reference`). */
  readonly switch: boolean;
}

/** Every YAML key the registry states, read from the registry's own tree. */
function registryKeys(): Keyed[] {
  const out: Keyed[] = [];
  const walk = (spec: BlockSpec, block: readonly string[]) => {
    const enabled = spec.attrs.find((a) => a.name === "enabled");
    if (spec.reference && spec.enabledByPresence && enabled) out.push({ yaml: spec.reference, block, spec, attr: enabled, switch: true });
    for (const attr of spec.attrs) if (attr.reference) out.push({ yaml: attr.reference, block, spec, attr, switch: false });
    for (const child of spec.blocks) walk(child, [...block, child.kind]);
  };
  walk(SCENARIO, []);
  return out;
}

/** A valid value other than the default, as YAML data and as .sbx source. */
function otherValue(attr: AttrSpec): { yaml: PlainValue; sbx: string } {
  const d = attr.default;
  const t = attr.type;
  switch (t.t) {
    case "bool":
      return { yaml: d !== true, sbx: String(d !== true) };
    case "enum": {
      const v = t.values.find((x) => x !== d)!;
      return { yaml: v, sbx: v };
    }
    case "ref":
      return { yaml: "strategic", sbx: "strategic" };
    case "string":
      return { yaml: "elsewhere", sbx: '"elsewhere"' };
    default: {
      const base = typeof d === "number" ? d : 0;
      const whole = (t.t === "number" && t.int) || (t.t === "duration" && t.unit !== "seconds");
      const v = attr.range?.max === 1 ? (base === 0.25 ? 0.75 : 0.25) : whole ? base + 1 : base + 0.5;
      return { yaml: v, sbx: String(v) };
    }
  }
}

/** YAML data with `value` at the dotted `path` (`agents[]` is one agent of kind `kind`). */
function yamlWith(path: string, value: PlainValue, kind: string): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  if (head!.endsWith("[]")) {
    const item: Record<string, unknown> = { type: kind, ...nested(rest, value) };
    return { [head!.slice(0, -2)]: [item] };
  }
  return { agents: [{ type: "honest" }], ...nested([head!, ...rest], value) };
}

function nested(path: readonly string[], value: PlainValue): Record<string, unknown> {
  const [head, ...rest] = path;
  return { [head!]: rest.length ? nested(rest, value) : value };
}

/** The same setting written by hand in .sbx. */
function sbxWith(k: Keyed, value: string): string {
  const [first, ...inner] = k.block;
  const switched = (spec: BlockSpec) => spec.enabledByPresence === true && spec.reference !== undefined;
  const setting = k.switch ? "" : `${k.attr.name} = ${value}`;
  // A block with a switch the YAML leaves off is written switched off, holding the value.
  const body = !k.switch && switched(k.spec) ? `enabled = false   ${setting}` : setting;
  const wrap = (names: readonly string[], text: string): string => (names.length ? `${names[0]} { ${wrap(names.slice(1), text)} }` : text);
  const population = first === "population" ? wrap(k.block, body) : "population { honest = 1 }";
  const rest = first === undefined ? body : first === "population" ? "" : wrap([first, ...inner], body);
  return `scenario unnamed {\n  profile = "swarm-0.1"\n  ${population}\n  ${rest}\n}\n`;
}

describe("the importer reads its keys from the registry", () => {
  const keyed = registryKeys();
  const BASE = compileText('scenario unnamed {\n  profile = "swarm-0.1"\n  population { honest = 1 }\n}\n');

  it("finds YAML keys in the registry", () => {
    expect(keyed.length).toBeGreaterThan(50);
    expect(TARGETS.map((t) => `${t.yaml} ${t.block.join(".")} ${t.attr.name}`)).toEqual(keyed.map((k) => `${k.yaml} ${k.block.join(".")} ${k.attr.name}`));
  });

  for (const k of keyed) {
    const where = k.switch ? k.block.join(".") : [...k.block, k.attr.name].join(".");
    it(`${k.yaml} sets ${where}`, () => {
      const value = k.switch ? { yaml: true, sbx: "" } : k.attr.name === "enabled" ? { yaml: false, sbx: "false" } : otherValue(k.attr);
      const kind = k.block[0] === "population" ? k.block[1]! : "honest";
      const imported = importAndVerify(stringify(yamlWith(k.yaml, value.yaml, kind)), FILE, host);
      expect(imported.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
      const hand = compileText(sbxWith(k, value.sbx));
      expect(hand.errors).toEqual([]);
      expect(body(imported.plan)).toEqual(body(hand.plan));
      // The setting shows in the plan (a switched-off network is no network, as when none is written).
      if (k.attr.name !== "enabled" || k.switch) expect(body(hand.plan)).not.toEqual(body(BASE.plan));
    });
  }

  it("judges a value out of range with the compiler's own check, at the YAML value", () => {
    const ranged = keyed.filter((k) => !k.switch && k.attr.range && ["number", "probability", "duration"].includes(k.attr.type.t));
    expect(ranged.length).toBeGreaterThan(30);
    for (const k of ranged) {
      const r = k.attr.range!;
      const v = r.min !== undefined ? (r.minExclusive ? r.min : r.min - 1) : r.max! + 1;
      const kind = k.block[0] === "population" ? k.block[1]! : "honest";
      const yaml = stringify(yamlWith(k.yaml, v, kind));
      const imported = importYaml(yaml, FILE).diagnostics.filter((d) => d.severity === "error");
      const compiled = compileText(sbxWith(k, String(v)));
      // The same finding, in the same words after the setting's name; only the name is the YAML's.
      const tail = (m: string) => m.slice(m.indexOf(" must "));
      expect(imported.map((d) => `${d.code}${tail(d.message)}`), k.yaml).toEqual(compiled.errors.map((e) => `${e.slice(0, 7)}${tail(e)}`));
      expect(yaml.slice(imported[0]!.span!.start, imported[0]!.span!.end), k.yaml).toBe(String(v));
    }
  });

  it("refuses a key the registry does not name, suggesting the registry's", () => {
    const audit = keyed.find((k) => k.spec.kind === "audit" && k.attr.name === "probability")!;
    const section = audit.yaml.slice(0, audit.yaml.indexOf("."));
    const misspelt = `${audit.yaml.slice(section.length + 1)}x`;
    const r = importYaml(stringify({ agents: [{ type: "honest" }], [section]: { [misspelt]: 0.2 } }), FILE);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["SBX5004"]);
    expect(r.diagnostics[0]!.message).toContain(`did you mean '${audit.yaml.slice(section.length + 1)}'`);
  });

  it("names only registry settings in its own tables", () => {
    const settings = new Set(TARGETS.map((t) => t.sbx));
    for (const name of [...Object.keys(ALIASES), ...Object.keys(NEVER_APPLIED), ...Object.keys(STYLES)]) expect(settings, name).toContain(name);
  });

  it("reaches every registry key from the top of the YAML", () => {
    for (const k of keyed) {
      const parts = k.yaml.split(".");
      for (let i = 0; i < parts.length; i++) expect(keysAt(parts.slice(0, i).join(".")), k.yaml).toContain(parts[i]!.replace(/\[\]$/, ""));
    }
  });
});
