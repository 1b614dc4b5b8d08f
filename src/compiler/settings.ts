/**
 * Settings blocks (BlockSpec.settings): a block whose dotted attributes are
 * settings of its scenario — a parameter shock's `governance.audit.probability
 * = 40%`. Each is checked the way `--set` and a sweep's `vary` check theirs
 * (src/compiler/model.ts setPath): every path segment must name a block of
 * the scenario (with a suggestion when it does not), the last one an
 * attribute, and the value must fit the attribute's type and range. A setting
 * changed during a run must also be one its mechanism reads during the run
 * (AttrSpec.live) of a lever the scenario has switched on. Each lowers to the
 * plan change `{ setting, path, value }`, `path` being where the value sits in
 * the plan.
 */
import { closest, diagnostic, replaceWith } from "../diagnostics/diagnostic.ts";
import { POPULATION } from "../registry/blocks.ts";
import type { AttrSpec, BlockSpec, PlainValue } from "../spec/types.ts";
import { attrSpec, valueContext } from "./check.ts";
import { childSpec, findChild, type MAttr, type MBlock, type ModelContext } from "./model.ts";
import { checkAttrValue } from "./values.ts";

export interface SettingChange {
  /** As written: `governance.audit.probability`. */
  readonly setting: string;
  /** Where the value sits in the plan: ["governance", "audit", "probability"]. */
  readonly path: readonly string[];
  readonly value: PlainValue;
}

/** The settings a block holds, checked against the scenario; only those that check out are returned. */
export function settingChanges(ctx: ModelContext, scenario: MBlock, block: MBlock): SettingChange[] {
  const out: SettingChange[] = [];
  for (const attr of block.attrs.values()) {
    if (!attr.path || attr.path.length < 2) continue;
    const change = settingChange(ctx, scenario, attr);
    if (change) out.push(change);
  }
  return out;
}

function settingChange(ctx: ModelContext, scenario: MBlock, attr: MAttr): SettingChange | null {
  const path = attr.path!;
  const setting = path.map((p) => p.text).join(".");
  const whole = { start: path[0]!.span.start, end: path[path.length - 1]!.span.end };
  let block: MBlock | undefined = scenario;
  let spec: BlockSpec = scenario.spec;
  let base: string[] | null = [];
  const levers: { kind: string; block: MBlock | undefined }[] = [];
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    if (spec === POPULATION) break;
    const written: MBlock | undefined = block ? findChild(block, seg.text) : undefined;
    let next: BlockSpec | undefined = written?.spec;
    if (!next) {
      // Not written in the scenario: the registry still says whether such a block exists (with a suggestion if not).
      const parent: MBlock = block ?? { spec, kind: spec.kind, name: null, file: attr.file, node: null, attrs: new Map(), blocks: [], statements: [] };
      const resolved = childSpec(ctx, parent, seg.text, seg.span, attr.file);
      if (!resolved) return null;
      next = resolved.spec;
    }
    base = next.lower?.slice ? [...next.lower.slice.path] : base && next.lower?.field ? [...base, next.lower.field] : base && next.lower?.merge ? base : null;
    if (next.enabledByPresence) levers.push({ kind: seg.text, block: written });
    block = written;
    spec = next;
  }
  if (spec === POPULATION || path.some((p, i) => i < path.length - 1 && p.text === "population")) {
    ctx.diagnostics.push(diagnostic("SBX3302", { setting, live: "the population is fixed for the whole run" }, attr.file, whole));
    return null;
  }
  const last = path[path.length - 1]!;
  const target = attrSpec(spec, last.text);
  if (!target) {
    const candidates = spec.attrs.map((a) => a.name);
    const suggestion = closest(last.text, candidates);
    ctx.diagnostics.push(
      diagnostic("SBX2002", { name: last.text, context: `'${spec.kind}'`, suggestion }, attr.file, last.span, {
        fixes: suggestion ? [replaceWith(attr.file, last.span, suggestion)] : [],
      }),
    );
    return null;
  }
  const value = checkAttrValue(valueContext(ctx, attr.file), target, attr.expr, setting);
  if (value === undefined) return null;
  if (!target.live || target.key === undefined || base === null) {
    const live = spec.attrs.filter((a) => a.live).map((a) => a.name);
    ctx.diagnostics.push(diagnostic("SBX3302", { setting, live: live.length ? `in '${spec.kind}' a shock can change ${live.join(", ")}` : `no setting of '${spec.kind}' can be shocked` }, attr.file, whole));
    return null;
  }
  for (const lever of levers) {
    const off = !lever.block || writtenValue(ctx, lever.block, attrSpec(lever.block.spec, "enabled")) === false;
    if (off) {
      ctx.diagnostics.push(diagnostic("SBX3303", { setting, detail: `the scenario has no '${lever.kind}' switched on; write the '${lever.kind}' block in its governance for the shock to act on` }, attr.file, whole));
      return null;
    }
  }
  if (target.off !== undefined) {
    const current = block ? (writtenValue(ctx, block, target) ?? target.default) : target.default;
    if (current === target.off) {
      ctx.diagnostics.push(diagnostic("SBX3303", { setting, detail: `it is ${String(current)} in this scenario, which switches the lever off, and a shock cannot switch a lever on` }, attr.file, whole));
      return null;
    }
  }
  return { setting, path: [...base, target.key], value };
}

/** The value a block writes for an attribute, checked quietly (its own diagnostics are reported where the block is checked). */
function writtenValue(ctx: ModelContext, block: MBlock, spec: AttrSpec | undefined): PlainValue | undefined {
  const attr = spec && block.attrs.get(spec.name);
  if (!spec || !attr) return undefined;
  return checkAttrValue(valueContext({ ...ctx, diagnostics: [] }, attr.file), spec, attr.expr, spec.name);
}
