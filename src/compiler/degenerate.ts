/**
 * Scenarios that compile but cannot mean what their author meant: no step
 * in which anything happens, a network parameter that quietly turns the
 * topology into a complete graph, a network of one agent, a statistic over
 * seeds that one seed cannot give. Each is a warning with its own code; the
 * run still does what was written.
 */
import type * as A from "../../language/ast.ts";
import { dottedName } from "../../language/ast.ts";
import { diagnostic } from "../diagnostics/diagnostic.ts";
import { child, get, type CBlock } from "./check.ts";
import type { ModelContext } from "./model.ts";

/** Warnings about a checked scenario whose population has `agents` agents. */
export function degenerateScenario(ctx: ModelContext, scenario: CBlock, agents: number): void {
  const at = (block: CBlock, name: string): { file: string; span: A.Span } | null => {
    const attr = block.model?.attrs.get(name);
    if (attr) return { file: attr.file, span: attr.expr.span };
    const node = block.model?.node;
    return node ? { file: block.model.file, span: node.type.span } : null;
  };

  if (get(scenario, "steps") === 0 && (get(scenario, "epochs") as number) > 0) {
    const where = at(scenario, "steps");
    if (where) {
      ctx.diagnostics.push(diagnostic("SBX3020", { attribute: "steps", why: "no agent ever acts, so every epoch is empty: criteria about interactions are undefined and criteria about counts pass vacuously" }, where.file, where.span));
    }
  }

  const network = child(scenario, "network");
  if (network && get(network, "enabled") !== false && agents > 0) {
    const topology = get(network, "topology") as string;
    if (agents === 1) {
      const where = at(network, "topology");
      if (where) ctx.diagnostics.push(diagnostic("SBX3022", {}, where.file, where.span));
    } else {
      const parameter = topology === "small_world" ? "k_neighbors" : topology === "scale_free" ? "m_edges" : null;
      const value = parameter ? (get(network, parameter) as number) : null;
      if (parameter && value !== null && value >= agents) {
        const where = at(network, parameter);
        if (where) ctx.diagnostics.push(diagnostic("SBX3021", { attribute: `network.${parameter}`, value: String(value), agents, topology: topology.replace("_", "-") }, where.file, where.span));
      }
    }
  }

  const expect = child(scenario, "expect");
  if (expect && (get(expect, "seeds") as readonly number[]).length <= 1) {
    for (const statement of expect.model.statements) {
      if (statement.node.kind !== "Statement") continue;
      for (const call of seedCalls(statement.node.expr)) {
        const fn = dottedName(call.callee)!;
        const why = fn === "seeds.std" ? "the spread of one value is 0" : "a confidence interval needs at least two seeds, so the criterion is undefined";
        ctx.diagnostics.push(diagnostic("SBX3023", { fn, why }, statement.file, call.span));
      }
    }
  }
}

/** Calls of the statistics over seeds that one seed cannot give. */
function seedCalls(expr: A.Expr): A.CallExpr[] {
  const out: A.CallExpr[] = [];
  const visit = (e: A.Expr): void => {
    switch (e.kind) {
      case "Call": {
        const fn = dottedName(e.callee);
        if (fn === "seeds.lower" || fn === "seeds.upper" || fn === "seeds.std") out.push(e);
        for (const a of e.args) visit(a.value);
        return;
      }
      case "Binary":
        visit(e.left);
        visit(e.right);
        return;
      case "Unary":
        visit(e.arg);
        return;
      case "Paren":
        visit(e.expr);
        return;
      default:
        return;
    }
  };
  visit(expr);
  return out;
}
