/**
 * The compiler does no IO of its own: a host reads files. The CLI's host reads
 * the disk; the language server's host serves open buffers first.
 */

export interface SourceHost {
  /** The file's text, or undefined if it does not exist. Paths are absolute and use `/`. */
  readFile(path: string): string | undefined;
  /** Why `readFile` gave nothing for this path, in the system's words ("permission denied"); undefined: it does not exist. */
  unreadable?(path: string): string | undefined;
  /** Absolute path of the standard library folder (`stdlib/`). */
  readonly stdlibDir: string;
}

/** A host over an in-memory map, for tests and for overlays on top of another host. */
export function memoryHost(files: Record<string, string>, stdlibDir: string, fallback?: SourceHost): SourceHost {
  return {
    stdlibDir,
    readFile: (path) => files[path] ?? fallback?.readFile(path),
    unreadable: (path) => (files[path] === undefined ? fallback?.unreadable?.(path) : undefined),
  };
}

// ---- posix paths, so the compiler core needs no `node:path` -------------------------

export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(part);
  }
  return (absolute ? "/" : "") + out.join("/");
}

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function joinPath(dir: string, rel: string): string {
  return normalizePath(rel.startsWith("/") ? rel : `${dir}/${rel}`);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** `from` → `to` as a relative path, for messages that should not spell out absolute paths. */
export function relativePath(from: string, to: string): string {
  const a = normalizePath(from).split("/").filter(Boolean);
  const b = normalizePath(to).split("/").filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rel = [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
  return rel || ".";
}
