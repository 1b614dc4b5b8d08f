/** A criterion's value as verdicts print it: whole numbers as they are, others to four significant digits. */
export function formatValue(v: number | null): string {
  if (v === null) return "undefined";
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(4)).toString();
}
