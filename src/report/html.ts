/** Building HTML as text: every piece of run or scenario text goes through `escapeHtml`. */

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A table from headed columns; cells are already HTML. */
export function table(options: { caption?: string; className?: string; head: readonly string[]; rows: readonly (readonly string[])[]; rowAttrs?: readonly string[]; numeric?: readonly boolean[] }): string {
  const num = (i: number) => (options.numeric?.[i] ? ' class="num"' : "");
  const head = `<thead><tr>${options.head.map((h, i) => `<th scope="col"${num(i)}>${h}</th>`).join("")}</tr></thead>`;
  const body = options.rows
    .map((r, k) => `<tr${options.rowAttrs?.[k] ? ` ${options.rowAttrs[k]}` : ""}>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td${num(i)}>${c}</td>`)).join("")}</tr>`)
    .join("\n");
  return `<table${options.className ? ` class="${options.className}"` : ""}>${options.caption ? `<caption>${options.caption}</caption>` : ""}${head}<tbody>\n${body}\n</tbody></table>`;
}
