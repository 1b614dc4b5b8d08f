/**
 * Completion and hover at every member position of every shipped scenario
 * and standard module, over a real stdio connection:
 * - hover on each attribute name documents that attribute (`**block.name**`),
 *   hover on each block kind documents that block;
 * - completion on a fresh line after each finished member offers the
 *   enclosing block's attributes and blocks that are not written yet.
 * The expectations come from the syntax tree and the registry, not from the
 * server's code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as A from "../../language/ast.ts";
import { parse } from "../../language/syntax.ts";
import { AGENT_KINDS, DECLARATIONS, POLICY_GROUP, POPULATION, SCENARIO } from "../../src/registry/blocks.ts";
import type { BlockSpec } from "../../src/registry/types.ts";
import { ROOT } from "../support/golden.ts";
import { LspClient } from "../support/lsp.ts";

const FILES = ["scenarios", "stdlib"].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".sbx"))
    .sort()
    .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(ROOT, dir, f), "utf8") })),
);

let client: LspClient;
beforeAll(async () => {
  // No diagnostics while probing: the sweep edits the files hundreds of times.
  client = await LspClient.start({ diagnosticsDelay: 60_000 });
});
afterAll(async () => {
  await client.stop();
  expect(client.stderr).toBe("");
});

interface Visit {
  readonly block: A.Block;
  readonly spec: BlockSpec | null;
}

/** Every block with its registry spec, walked from the top-level declarations. */
function blocks(file: A.SourceFile): Visit[] {
  const out: Visit[] = [];
  const walk = (b: A.Block, spec: BlockSpec | null) => {
    out.push({ block: b, spec });
    for (const m of b.members) {
      if (m.kind !== "Block") continue;
      const child = spec === POPULATION ? (AGENT_KINDS.find((a) => a.kind === m.type.text) ?? POLICY_GROUP) : (spec?.blocks.find((c) => c.kind === m.type.text) ?? null);
      walk(m, child);
    }
  };
  for (const item of file.items) if (item.kind === "Block") walk(item, DECLARATIONS.find((d) => d.kind === item.type.text) ?? null);
  return out;
}

/** The spec a dotted path's last segment belongs to (arms set scenario paths). */
function ownerOf(spec: BlockSpec, path: readonly A.Name[]): BlockSpec | null {
  let s: BlockSpec | null = spec;
  for (const p of path.slice(0, -1)) s = s?.blocks.find((b) => b.kind === p.text) ?? null;
  return s;
}

type HoverResult = { contents: { value: string } } | null;
type Item = { label: string };

describe.each(FILES)("$name", ({ name, text }) => {
  const tree = parse(text, name).file;
  const visits = blocks(tree);

  it("hover names the attribute or block under the cursor, at every member", async () => {
    const uri = await client.open(`sweep/hover/${name}`, text);
    const failures: string[] = [];
    let checked = 0;
    for (const { block, spec } of visits) {
      if (!spec) continue;
      for (const m of block.members) {
        if (m.kind === "Attribute") {
          if (spec === POPULATION) {
            // `honest = 2` is a group of an agent kind; `free_rider = 3` one of a declared policy.
            const name = m.path[0]!;
            const hover = await client.at<HoverResult>("textDocument/hover", uri, name.span.start + 1);
            const value = hover?.contents.value ?? "(none)";
            checked++;
            if (!value.includes(`**${name.text}**`) && !value.includes(`policy ${name.text}`)) failures.push(`${client.position(uri, name.span.start).line + 1}: group '${name.text}' → ${value.split("\n")[0]}`);
            continue;
          }
          const root = spec.kind === "arm" ? SCENARIO : spec;
          const owner = ownerOf(root, m.path);
          const last = m.path[m.path.length - 1]!;
          if (!owner?.attrs.some((a) => a.name === last.text)) continue;
          for (const at of [last.span.start, last.span.start + Math.floor(last.text.length / 2), last.span.end - 1]) {
            const hover = await client.at<HoverResult>("textDocument/hover", uri, at);
            const heading = hover?.contents.value.split("\n")[0] ?? "(none)";
            checked++;
            if (!heading.startsWith(`**${owner.kind}.${last.text}**`)) failures.push(`${client.position(uri, at).line + 1}: '${last.text}' → ${heading}`);
          }
        } else if (m.kind === "Block") {
          const hover = await client.at<HoverResult>("textDocument/hover", uri, m.type.span.start + 1);
          const heading = hover?.contents.value ?? "(none)";
          checked++;
          // In a population, a block is a group of an agent kind or of a declared policy.
          if (!heading.includes(`**${m.type.text}**`) && !(spec === POPULATION && heading.includes(`policy ${m.type.text}`))) failures.push(`${client.position(uri, m.type.span.start).line + 1}: block '${m.type.text}' → ${heading.split("\n")[0]}`);
        }
      }
    }
    await client.close(uri);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it("completion at the end of each member's first word offers that word", async () => {
    const uri = await client.open(`sweep/word/${name}`, text);
    const failures: string[] = [];
    let checked = 0;
    for (const { block, spec } of visits) {
      if (!spec) continue;
      for (const m of block.members) {
        const word = m.kind === "Attribute" ? m.path[0]! : m.kind === "Block" ? m.type : null;
        if (!word) continue;
        const items = (await client.at<Item[] | null>("textDocument/completion", uri, word.span.end)) ?? [];
        checked++;
        if (!items.some((i) => i.label === word.text)) failures.push(`${client.position(uri, word.span.start).line + 1}: '${word.text}' in ${block.type.text} (got ${items.length} items)`);
      }
    }
    await client.close(uri);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it("completion on a fresh line after each finished member offers the block's unwritten attributes and blocks", async () => {
    const uri = await client.open(`sweep/complete/${name}`, text);
    const failures: string[] = [];
    let checked = 0;
    for (const { block, spec } of visits) {
      if (!spec || !block.members.length) continue;
      const written = new Set(block.members.flatMap((m) => (m.kind === "Attribute" ? [m.path[0]!.text] : m.kind === "Block" ? [m.type.text] : [])));
      const expected =
        spec === POPULATION
          ? AGENT_KINDS.map((a) => a.kind)
          : spec.kind === "arm"
            ? SCENARIO.attrs.map((a) => a.name).filter((n) => !written.has(n))
            : [...spec.attrs.map((a) => a.name), ...spec.blocks.filter((b) => b.repeatable || !written.has(b.kind)).map((b) => b.kind)].filter((n) => spec.attrs.every((a) => a.name !== n) || !written.has(n));
      if (!expected.length) continue;
      for (const m of block.members) {
        // A fresh line after the member, indented like it.
        const lineStart = text.lastIndexOf("\n", m.span.start - 1) + 1;
        const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
        const insert = `\n${indent}`;
        await client.edit(uri, m.span.end, m.span.end, insert);
        const items = (await client.at<Item[] | null>("textDocument/completion", uri, m.span.end + insert.length)) ?? [];
        await client.edit(uri, m.span.end, m.span.end + insert.length, "");
        checked++;
        const labels = new Set(items.map((i) => i.label));
        const missing = expected.filter((e) => !labels.has(e));
        if (missing.length) failures.push(`${client.position(uri, m.span.end).line + 1}: after '${text.slice(m.span.start, Math.min(m.span.end, m.span.start + 30))}' in ${block.type.text}: missing ${missing.join(", ")} (got ${items.length} items)`);
      }
    }
    await client.close(uri);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });
});
