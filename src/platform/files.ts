/** Writing outputs so that a crash never leaves a half-written file behind. */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Write to a temporary sibling, then rename over the target (atomic on one file system). */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path) || ".", { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}
