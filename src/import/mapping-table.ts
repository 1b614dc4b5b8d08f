/** The YAML → .sbx mapping as a Markdown table, rendered from the importer's own schema (docs/yaml-import.md). */
import { YAML_KEYS, type Handling } from "./schema.ts";

const HANDLING: Record<Handling, string> = {
  applied: "applied",
  section: "section",
  alias: "alias (applied when the preferred key is absent; otherwise SBX5005)",
  inert: "**never applied by the sandbox** (SBX5005)",
  "not-carried": "**not carried over** (SBX5008)",
  criterion: "criterion (evaluated by the sandbox's runner)",
  "criterion-unevaluated": "criterion **never evaluated by the sandbox** (SBX5005); sbx evaluates it",
};

const cell = (s: string): string => s.replace(/\|/g, "\\|");

export function mappingTable(): string {
  const rows = YAML_KEYS.map((k) => `| \`${k.path}\` | ${cell(k.default)} | ${cell(k.sbx)} | ${HANDLING[k.handling]}${k.note ? `: ${cell(k.note)}` : ""} |`);
  return ["| YAML key | Default | .sbx | Handling |", "|---|---|---|---|", ...rows].join("\n");
}
