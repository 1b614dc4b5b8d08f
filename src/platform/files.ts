/**
 * Writing outputs so that a crash never leaves a half-written file behind,
 * and so that a file-system failure is reported as what it is: the path and
 * the operating system's reason (SBX5009, exit 2), never an internal error.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** A file-system failure on a path sbx was asked to write (or read). */
/** FileErrors from every bundle of sbx (the launcher, the core) are recognised by this mark, not by class identity. */
const FILE_ERROR = Symbol.for("sbx.FileError");

export function isFileError(e: unknown): e is FileError {
  return typeof e === "object" && e !== null && (e as { [FILE_ERROR]?: true })[FILE_ERROR] === true;
}

export class FileError extends Error {
  readonly [FILE_ERROR] = true;
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly code: string | null = null,
  ) {
    super(`${path}: ${reason}`);
    this.name = "FileError";
  }
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  EEXIST: "it already exists",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symbolic links",
  EBUSY: "the resource is busy",
};

/** The operating system's reason for a failed call, in words (`permission denied`), without Node's `EACCES: …, open '…'` wrapping. */
export function osReason(error: unknown): string {
  if (isFileError(error)) return error.reason;
  const e = error as NodeJS.ErrnoException;
  if (e?.code && REASONS[e.code]) return REASONS[e.code]!;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^[A-Z]+: /, "").replace(/, \w+ '[^']*'( -> '[^']*')?$/, "");
}

/** Whether an exception is a file-system failure (it carries an errno code), as opposed to a bug. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException)?.code;
  return isFileError(error) || (typeof code === "string" && /^E[A-Z]+$/.test(code));
}

/** A FileError for `path` from whatever a file-system call threw. */
export function fileError(path: string, error: unknown): FileError {
  if (isFileError(error)) return error;
  return new FileError(path, osReason(error), (error as NodeJS.ErrnoException)?.code ?? null);
}

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdirSync spins forever on
 * some paths (`/proc/x`: each attempt fails with ENOENT and is retried), and
 * reports a file in the way as EEXIST; this names the part of the path that
 * is in the way instead.
 */
export function ensureDir(path: string): void {
  const target = resolve(path);
  const missing: string[] = [];
  let dir = target;
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(dir).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: something above is a file; walking up finds and names it.
      if (code !== "ENOENT" && code !== "ENOTDIR") throw new FileError(dir, osReason(e), code ?? null);
      missing.push(dir);
      const parent = dirname(dir);
      if (parent === dir) throw new FileError(dir, osReason(e), code);
      dir = parent;
      continue;
    }
    if (!isDirectory) throw new FileError(dir, dir === target ? "it exists and is not a directory" : "it is not a directory", "ENOTDIR");
    break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && statSync(d).isDirectory()) continue;
      throw new FileError(d, osReason(e), (e as NodeJS.ErrnoException).code ?? null);
    }
  }
}

/** Write to a temporary sibling, then rename over the target (atomic on one file system). Failures are FileErrors naming the target. */
export function writeFileAtomic(path: string, content: string | Iterable<string>): void {
  ensureDir(dirname(path) || ".");
  let existing: ReturnType<typeof statSync>;
  try {
    existing = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw fileError(path, e);
  }
  if (existing?.isDirectory()) throw new FileError(path, "it is a directory", "EISDIR");
  try {
    // A device or a pipe (`--out /dev/stdout`, `/dev/null`) is written to, never replaced.
    if (existing && !existing.isFile()) {
      writeText(path, content);
      return;
    }
    const temp = `${path}.${process.pid}.tmp`;
    try {
      writeText(temp, content);
      renameSync(temp, path);
    } catch (e) {
      try {
        rmSync(temp, { force: true });
      } catch {
        // nothing was left behind, or it cannot be removed either; the first error is the one to report
      }
      throw e;
    }
  } catch (e) {
    throw fileError(path, e);
  }
}

/** Write a text, or a text in pieces (a large file never held whole). */
function writeText(path: string, content: string | Iterable<string>): void {
  if (typeof content === "string") {
    writeFileSync(path, content);
    return;
  }
  writeFileSync(path, "");
  for (const piece of content) appendFileSync(path, piece);
}

/** A path for messages: relative when it is inside the working directory, else absolute (never `../../dev/null`). */
export function shownPath(path: string, cwd = process.cwd()): string {
  const absolute = resolve(path);
  const inside = absolute === cwd || absolute.startsWith(cwd.endsWith("/") ? cwd : `${cwd}/`);
  return inside ? absolute.slice(cwd.length).replace(/^\//, "") || "." : absolute;
}
