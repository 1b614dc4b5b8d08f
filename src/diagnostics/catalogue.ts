/**
 * The one catalogue of diagnostic codes. Each code has a severity, a message
 * template over typed parameters and a one-line explanation (`sbx explain`).
 *
 * Ranges: SBX1xxx syntax, SBX2xxx names and types, SBX3xxx semantics and
 * values, SBX4xxx runs and criteria, SBX5xxx files, usage and imports.
 */

export type Severity = "error" | "warning" | "info";

interface Entry<P> {
  readonly severity: Severity;
  readonly title: string;
  readonly explain: string;
  readonly message: (params: P) => string;
}

const entry = <P>(severity: Severity, title: string, explain: string, message: (params: P) => string): Entry<P> => ({
  severity,
  title,
  explain,
  message,
});

/** ` (did you mean 'x'?)` or nothing. */
export const suggestion = (candidate: string | null | undefined): string => (candidate ? ` (did you mean '${candidate}'?)` : "");

type S = { suggestion?: string | null };

export const CATALOGUE = {
  // ---- syntax ---------------------------------------------------------------
  SBX1001: entry<{ found: string; expected: string }>("error", "unexpected token",
    "The parser met a token that cannot appear here; the message lists what could.",
    (p) => `unexpected ${p.found}; expected ${p.expected}`),
  SBX1002: entry<Record<string, never>>("error", "unterminated string",
    "A string literal opened with \" has no closing quote on the same line; use \"\"\"…\"\"\" for text spanning lines.",
    () => "unterminated string: add a closing \" (use \"\"\"…\"\"\" for text spanning lines)"),
  SBX1003: entry<{ char: string }>("error", "invalid character",
    "The character cannot start any token of the language.",
    (p) => `unexpected character '${p.char}'`),
  SBX1004: entry<{ block: string }>("error", "unclosed block",
    "A block's opening brace has no matching closing brace before the end of the file.",
    (p) => `block '${p.block}' is not closed: expected '}'`),
  SBX1005: entry<{ what: string }>("error", "missing value",
    "An attribute, argument or operator is missing the expression that must follow it.",
    (p) => `expected ${p.what}`),
  SBX1006: entry<{ escape: string }>("error", "invalid escape",
    "Strings support the escapes \\\" \\\\ \\n \\t and \\u{hex}.",
    (p) => `invalid escape sequence '${p.escape}' in string`),

  // ---- names ----------------------------------------------------------------
  SBX2001: entry<{ name: string; context: string } & S>("error", "unknown block",
    "The block kind is not defined in this context; the schema registry lists the blocks each block may contain.",
    (p) => `unknown block '${p.name}' in ${p.context}${suggestion(p.suggestion)}`),
  SBX2002: entry<{ name: string; context: string } & S>("error", "unknown attribute",
    "The attribute is not defined for this block. Unknown keys are never ignored silently.",
    (p) => `unknown attribute '${p.name}' in ${p.context}${suggestion(p.suggestion)}`),
  SBX2003: entry<{ name: string } & S>("error", "unknown agent kind",
    "A population entry names neither a scripted agent kind (honest, opportunistic, deceptive, adversarial), `llm`, nor a declared policy.",
    (p) => `unknown agent kind '${p.name}'${suggestion(p.suggestion)}`),
  SBX2004: entry<{ name: string } & S>("error", "unknown metric",
    "Criteria may only name metrics in the registry (`sbx explain metrics` lists them).",
    (p) => `unknown metric '${p.name}'${suggestion(p.suggestion)}`),
  SBX2005: entry<{ name: string } & S>("error", "unknown persona",
    "An LLM agent's persona must be a built-in persona (honest, strategic, adversarial, open) or a declared `persona`.",
    (p) => `unknown persona '${p.name}'${suggestion(p.suggestion)}`),
  SBX2006: entry<{ what: string; name: string } & S>("error", "unresolved name",
    "The name is not declared in this file or imported into it.",
    (p) => `cannot find ${p.what} '${p.name}'${suggestion(p.suggestion)}`),
  SBX2007: entry<{ name: string } & S>("error", "unknown governance lever",
    "Governance blocks contain levers: transaction_tax, reputation_decay, vote_normalization, bandwidth, staking, circuit_breaker, audit, collusion.",
    (p) => `unknown governance lever '${p.name}'${suggestion(p.suggestion)}`),
  SBX2008: entry<{ path: string } & S>("error", "module not found",
    "Imports name a standard module (`std/…`) or a relative file (`./…`, `../…`).",
    (p) => `cannot find module '${p.path}'${suggestion(p.suggestion)}`),
  SBX2009: entry<{ module: string; name: string } & S>("error", "name not exported",
    "The imported module does not declare the name listed in braces.",
    (p) => `module '${p.module}' declares no '${p.name}'${suggestion(p.suggestion)}`),
  SBX2010: entry<{ name: string; what: string }>("error", "duplicate declaration",
    "Two declarations in scope share a name; every scenario, persona, policy, sweep and preset needs its own.",
    (p) => `'${p.name}' is already declared as ${p.what}`),
  SBX2011: entry<{ name: string; context: string }>("error", "duplicate attribute",
    "An attribute may be set once per block; remove one of the two.",
    (p) => `'${p.name}' is set twice in ${p.context}`),
  SBX2012: entry<{ chain: string }>("error", "extends cycle",
    "A chain of `extends` leads back to where it started.",
    (p) => `extends cycle: ${p.chain}`),
  SBX2013: entry<{ value: string; attribute: string; values: string } & S>("error", "unknown value",
    "The attribute takes one of a fixed set of values.",
    (p) => `'${p.value}' is not a valid ${p.attribute}; expected one of ${p.values}${suggestion(p.suggestion)}`),
  SBX2014: entry<{ name: string } & S>("error", "unknown function",
    "Criteria may call the aggregations mean, min, max, final, first, sum, at, always, eventually, and seeds.share/mean/min/max/std/lower/upper; sweeps and policies may use uniform and randint.",
    (p) => `unknown function '${p.name}'${suggestion(p.suggestion)}`),
  SBX2015: entry<{ name: string } & S>("error", "unknown selection",
    "A selection `metric[name]` names an agent kind, a population group, or an agent id.",
    (p) => `'${p.name}' names no agent kind, population group or agent${suggestion(p.suggestion)}`),
  SBX2016: entry<{ name: string; actual: string; expected: string }>("error", "wrong kind of reference",
    "The name refers to a declaration of another kind than this place needs.",
    (p) => `'${p.name}' is ${p.actual}, but ${p.expected} is needed here`),
  SBX2017: entry<Record<string, never>>("error", "no scenario",
    "The file declares no scenario to compile or run.",
    () => "the file declares no scenario"),
  SBX2018: entry<{ names: string }>("error", "several scenarios",
    "The file declares several scenarios; choose one with --scenario.",
    (p) => `the file declares several scenarios (${p.names}); choose one with --scenario`),

  // ---- names: the compute economy (SBX2200–SBX2219) ---------------------------------
  SBX2200: entry<{ name: string } & S>("error", "market for an unknown group",
    "A `market` in the `economy` block is named after the population group whose agents trade in it; this name is no group of the scenario's population.",
    (p) => `market '${p.name}' names no population group${suggestion(p.suggestion)}`),

  // ---- types ----------------------------------------------------------------
  SBX2101: entry<{ context: string; expected: string; found: string }>("error", "type mismatch",
    "The value's type does not fit the attribute or operator.",
    (p) => `${p.context} expects ${p.expected}, found ${p.found}`),
  SBX2102: entry<{ attribute: string; unit: string; found: string }>("error", "wrong unit",
    "The attribute is measured in one unit; a number with another unit (or a percentage) does not fit.",
    (p) => `${p.attribute} takes ${p.unit}, not ${p.found}`),
  SBX2103: entry<{ attribute: string; value: string }>("error", "whole number expected",
    "Counts, seeds and epochs are whole numbers.",
    (p) => `${p.attribute} must be a whole number, found ${p.value}`),
  SBX2104: entry<{ found: string; hint: string }>("error", "criterion is not a verdict",
    "A criterion must evaluate to true or false for a run (or over seeds). A per-epoch comparison needs always(...) or eventually(...), and a metric needs an aggregation.",
    (p) => `a criterion must be true or false, but this is ${p.found}${p.hint}`),
  SBX2105: entry<{ name: string; expected: string; found: number }>("error", "wrong number of arguments",
    "The function was called with too many or too few arguments.",
    (p) => `'${p.name}' takes ${p.expected}, found ${p.found}`),
  SBX2106: entry<{ detail: string }>("error", "mixed seed levels",
    "Inside a statement over seeds (seeds.share, seeds.mean, …) every metric must sit inside the seeds function.",
    (p) => `cannot mix a statement over seeds with a per-run value: ${p.detail}`),
  SBX2107: entry<{ metric: string }>("error", "metric not selectable",
    "Only interaction metrics (selected by initiator) and agent metrics (selected by agent) accept a selection.",
    (p) => `'${p.metric}' cannot be restricted to a selection of agents`),

  // ---- values and semantics --------------------------------------------------
  SBX3001: entry<{ attribute: string; bound: string; value: string }>("error", "value out of range",
    "The model forbids this value (a probability above 1, a negative count, …).",
    (p) => `${p.attribute} must be ${p.bound}, found ${p.value}`),
  SBX3002: entry<{ attribute: string; value: string; range: string; why: string }>("warning", "outside the advised range",
    "The value is allowed, but the literature advises against it; the run will still do what you asked.",
    (p) => `${p.attribute} = ${p.value} is outside the advised range (${p.range}): ${p.why}`),
  SBX3003: entry<{ attribute: string; profile: string; why: string }>("info", "inert in this profile",
    "The setting is accepted but has no effect in the selected profile; the compatibility profile keeps the reference's dormant mechanisms dormant.",
    (p) => `${p.attribute} has no effect in profile ${p.profile}: ${p.why}`),
  SBX3004: entry<{ sum: string }>("error", "probabilities do not sum to 1",
    "A policy's action table is a probability distribution over actions; its entries must add up to 100%.",
    (p) => `action probabilities sum to ${p.sum}, not 100%`),
  SBX3005: entry<{ context: string; what: string }>("error", "missing required setting",
    "The block cannot be compiled without this setting.",
    (p) => `${p.context} needs ${p.what}`),
  SBX3006: entry<{ attribute: string; topology: string }>("warning", "setting unused by topology",
    "The network parameter only matters for some topologies.",
    (p) => `${p.attribute} has no effect with topology ${p.topology}`),
  SBX3007: entry<{ what: string; context: string; hint: string }>("error", "not allowed here",
    "Criteria belong in `expect`, `vary` in a sweep, and attributes in blocks that define them.",
    (p) => `${p.what} is not allowed in ${p.context}${p.hint}`),
  SBX3008: entry<{ range: string }>("error", "empty range",
    "A range runs from its first value up to its last, inclusive; the last must not be smaller.",
    (p) => `the range ${p.range} is empty`),
  SBX3009: entry<{ name: string }>("error", "duplicate population group",
    "Each population group needs its own name; name repeated kinds explicitly, e.g. `honest careful { count = 2 }`.",
    (p) => `population group '${p.name}' is declared twice`),
  SBX3010: entry<{ model: string }>("warning", "no price for model",
    "The model is missing from the price table, so its calls count as free and a budget cannot bound them.",
    (p) => `no price for model '${p.model}': its calls cost 0 and no budget can bound them (add it to llm.prices)`),
  SBX3011: entry<{ name: string }>("warning", "unused import",
    "The imported name is not used in this file.",
    (p) => `'${p.name}' is imported but never used`),
  SBX3012: entry<{ name: string }>("warning", "sweep varies nothing",
    "A sweep without `vary` or `arm` runs only the base scenario over its seeds.",
    (p) => `sweep '${p.name}' varies nothing; it runs the base scenario only`),
  SBX3014: entry<{ count: number }>("error", "LLM agents need async mode",
    "A language model answers asynchronously, so a scenario with LLM agents runs with `mode = async` (or `auto`); `sync` cannot host them.",
    (p) => `mode = sync cannot host the scenario's ${p.count} LLM agent${p.count === 1 ? "" : "s"}; use mode = async or leave it at auto`),
  SBX3013: entry<{ what: string; why: string }>("warning", "questionable setting",
    "The combination is allowed but probably not what was meant.",
    (p) => `${p.what}: ${p.why}`),

  // ---- the compute economy (SBX3100–SBX3199) -------------------------------------
  SBX3100: entry<{ group: string }>("warning", "firms without an economy",
    "Firms act on the compute economy (mining, staking, contracts, core bids); without an `economy` block they have nothing to do and do nothing.",
    (p) => `the firms of group '${p.group}' need an \`economy\` block: without one they do nothing`),
  SBX3101: entry<{ market: string; what: string }>("warning", "cores without bidders",
    "Cores go to the agents that bid for them on the auction turn. Only firms and LLM agents bid, so in a market of other agents the cores have no owner and every inference fee is destroyed instead of paid as dividends.",
    (p) => `no agent of ${p.market} (${p.what}) bids for cores: they will have no owner and its inference fees are destroyed`),
  SBX3102: entry<{ group: string; sum: string; unreachable: string }>("warning", "firm cascade above 100%",
    "A firm draws one number per free turn and walks mine, stake, burn, transfer and propose in that order; once their chances add up to more than 100%, the later ones are reached less often than written, or never.",
    (p) => `the firms of group '${p.group}' have mine, stake, burn, transfer and propose chances adding up to ${p.sum}: ${p.unreachable} cannot be drawn as often as written`),

  // ---- runs and criteria -------------------------------------------------------
  SBX4001: entry<{ label: string; detail: string }>("error", "criterion failed",
    "The run completed, but the outcome does not meet a success criterion; `sbx check` exits 3.",
    (p) => `criterion failed: ${p.label} (${p.detail})`),
  SBX4002: entry<{ label: string; reason: string }>("error", "criterion undefined",
    "The criterion's metric has no value for this run (no network, no labelled interactions, no epochs…), so it cannot pass.",
    (p) => `criterion cannot be evaluated: ${p.label} (${p.reason})`),
  SBX4003: entry<{ detail: string }>("error", "run failed",
    "The engine stopped with an internal error; this is a bug in sbx, please report it with the plan.",
    (p) => `internal error while running: ${p.detail}`),
  SBX4004: entry<{ provider: string; variable: string }>("error", "missing API key",
    "An LLM provider needs its API key in the environment before the run starts.",
    (p) => `provider ${p.provider} needs the environment variable ${p.variable}`),
  SBX4005: entry<{ budget: string; spent: string }>("warning", "LLM budget exhausted",
    "The run stopped calling models when the next call could exceed the budget, and used the fallback instead.",
    (p) => `LLM budget of ${p.budget} reached (spent ${p.spent}); remaining decisions used the fallback`),

  // ---- files, usage, imports ---------------------------------------------------------
  SBX5001: entry<{ path: string; reason: string }>("error", "cannot read file",
    "The file does not exist or cannot be read.",
    (p) => `cannot read ${p.path}: ${p.reason}`),
  SBX5002: entry<{ detail: string }>("error", "usage",
    "The command line is not valid; `sbx help <command>` shows the usage.",
    (p) => p.detail),
  SBX5003: entry<{ override: string; detail: string }>("error", "invalid override",
    "`--set path=value` takes a setting path and an .sbx value, type-checked like source.",
    (p) => `invalid override '${p.override}': ${p.detail}`),
  SBX5004: entry<{ key: string } & S>("error", "key not in the sandbox schema",
    "`sbx import` refuses keys the sandbox's scenario schema does not define, so nothing is lost silently.",
    (p) => `'${p.key}' is not a key of the sandbox's scenario schema${suggestion(p.suggestion)}`),
  SBX5005: entry<{ key: string; what: string }>("warning", "key never applied by the sandbox",
    "The sandbox accepted this key but never applied it; the message says what sbx does with it.",
    (p) => `'${p.key}' was accepted but never applied by the sandbox; ${p.what}`),
  SBX5006: entry<{ detail: string }>("error", "invalid YAML",
    "The YAML scenario cannot be parsed.",
    (p) => `invalid YAML: ${p.detail}`),
  SBX5007: entry<{ detail: string }>("error", "invalid event log",
    "The file is not an sbx event log, or it was cut short before its header.",
    (p) => `invalid event log: ${p.detail}`),
  SBX5008: entry<{ key: string; what: string }>("warning", "key not carried over",
    "`sbx import` met a key the sandbox read but a .sbx file has no place for (an API key, an endpoint); the message says what to do instead.",
    (p) => `'${p.key}' is not carried over: ${p.what}`),
} as const;

export type Code = keyof typeof CATALOGUE;
export type ParamsOf<C extends Code> = Parameters<(typeof CATALOGUE)[C]["message"]>[0];

export function isCode(text: string): text is Code {
  return Object.hasOwn(CATALOGUE, text);
}
