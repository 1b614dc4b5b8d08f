/**
 * The leakage detector (the reference's swarm/boundaries/leakage.py): the
 * default PII, credential and code patterns, and sensitive keywords counted
 * only when nothing else matched. It reports what kinds of data it found
 * and how often — never the matched text.
 */

export const LEAK_CLASSES = ["pii", "credential", "code", "keyword"] as const;
export type LeakClass = (typeof LEAK_CLASSES)[number];

const compile = (patterns: readonly string[]): RegExp[] => patterns.map((p) => new RegExp(p, "gi"));

const PATTERNS: Readonly<Record<Exclude<LeakClass, "keyword">, RegExp[]>> = {
  pii: compile([
    String.raw`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Z|a-z]{2,}\b`, // email
    String.raw`\b\d{3}[-.]?\d{3}[-.]?\d{4}\b`, // phone
    String.raw`\b\d{3}[-]?\d{2}[-]?\d{4}\b`, // SSN
    String.raw`\b\d{16}\b`, // card
  ]),
  credential: compile([
    String.raw`password\s*[:=]\s*['"]?[\w!@#$%^&*]+['"]?`,
    String.raw`api[_-]?key\s*[:=]\s*['"]?[\w-]+['"]?`,
    String.raw`secret\s*[:=]\s*['"]?[\w-]+['"]?`,
    String.raw`token\s*[:=]\s*['"]?[\w-]+['"]?`,
    String.raw`bearer\s+[\w-]+`,
    String.raw`aws[_-]?access[_-]?key[_-]?id\s*[:=]\s*[\w]+`,
    String.raw`private[_-]?key`,
  ]),
  code: compile([
    String.raw`def\s+\w+\s*\([^)]*\)\s*:`,
    String.raw`function\s+\w+\s*\([^)]*\)\s*\{`,
    String.raw`class\s+\w+\s*[:\{]`,
    String.raw`import\s+[\w.]+`,
  ]),
};

const KEYWORDS = ["confidential", "secret", "private", "internal", "restricted", "sensitive", "proprietary"];

/** The reference's severities: credentials are critical, PII high, code medium, bare keywords low. */
export const SEVERITY: Readonly<Record<LeakClass, number>> = { pii: 0.7, credential: 0.95, code: 0.5, keyword: 0.3 };

export interface Scan {
  /** The classes found, in LEAK_CLASSES order. */
  readonly classes: readonly LeakClass[];
  /** How many matches, over all classes. */
  readonly matches: number;
  /** The highest severity found (0 when clean): the flow's sensitivity. */
  readonly severity: number;
}

function count(content: string, patterns: readonly RegExp[]): number {
  let n = 0;
  for (const p of patterns) {
    p.lastIndex = 0;
    n += content.match(p)?.length ?? 0;
  }
  return n;
}

export function scan(content: string): Scan {
  const classes: LeakClass[] = [];
  let matches = 0;
  let severity = 0;
  for (const c of ["pii", "credential", "code"] as const) {
    const k = count(content, PATTERNS[c]);
    if (k === 0) continue;
    classes.push(c);
    matches += k;
    severity = Math.max(severity, SEVERITY[c]);
  }
  if (classes.length === 0) {
    const lower = content.toLowerCase();
    const k = KEYWORDS.filter((w) => lower.includes(w)).length;
    if (k > 0) {
      classes.push("keyword");
      matches += k;
      severity = SEVERITY.keyword;
    }
  }
  return { classes, matches, severity };
}
