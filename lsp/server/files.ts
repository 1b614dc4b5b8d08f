/**
 * The files the language server sees besides open buffers, and `file:` URIs.
 * Portable: `sbx lsp` reads the disk (node.ts), the playground a virtual file
 * system in its Web Worker (browser.ts), through this one interface.
 */
export interface ServerFiles {
  /** A file's text, or undefined when it is missing or unreadable. */
  read(path: string): string | undefined;
  /** A stamp that changes whenever the file does: `missing` when it is not a file. */
  stamp(path: string): string;
  /** A folder's files and subfolders (other entries, such as links, left out); empty when it cannot be read. */
  list(dir: string): readonly { readonly name: string; readonly folder: boolean }[];
}

/** The stamp of a file that is not there. */
export const MISSING = "missing";

/**
 * A `file:` URI's path, as Node's `fileURLToPath` gives it on POSIX (percent
 * escapes decoded), with a Windows drive letter kept as `C:/…`.
 */
export function fileUriToPath(uri: string): string {
  const path = decodeURIComponent(new URL(uri).pathname);
  return /^\/[A-Za-z]:(\/|$)/.test(path) ? path.slice(1) : path;
}

/** An absolute path's `file:` URI, escaped as Node's `pathToFileURL` escapes a POSIX path. */
export function pathToFileUri(path: string): string {
  const url = new URL("file:///");
  url.pathname = path.replace(/[%\\\n\r\t[\]^|~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  return url.href;
}
