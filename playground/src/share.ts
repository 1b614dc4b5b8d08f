/**
 * A link that reproduces a run: the URL's hash holds the scenario's text
 * (deflated, base64url), its file name and the seed. The browser's own
 * CompressionStream deflates, so sharing needs no library and no server.
 */

export interface Shared {
  readonly text: string;
  readonly fileName: string;
  /** The seed to run with; null: the scenario's own. */
  readonly seed: number | null;
}

/** The hash format's version: a link made today must open in later playgrounds. */
const VERSION = "1";

async function through(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The hash (with its `#`) that opens `shared`. */
export async function encodeShare(shared: Shared): Promise<string> {
  const packed = toBase64Url(await through(new TextEncoder().encode(shared.text), new CompressionStream("deflate-raw")));
  const params = new URLSearchParams({ v: VERSION, f: shared.fileName });
  if (shared.seed !== null) params.set("seed", String(shared.seed));
  // The scenario last: the longest part, in base64url, needs no escaping.
  return `#${params.toString()}&s=${packed}`;
}

/** What a hash shares, or null when it shares nothing; throws with a reason when it is damaged. */
export async function decodeShare(hash: string): Promise<Shared | null> {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const packed = params.get("s");
  if (packed === null) return null;
  const version = params.get("v");
  if (version !== VERSION) throw new Error(`this link was made by another version of the playground (format ${version ?? "unknown"}; this one reads ${VERSION})`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await through(fromBase64Url(packed), new DecompressionStream("deflate-raw")));
  } catch {
    throw new Error("this link's scenario is damaged (was it cut short when it was copied?)");
  }
  const seedText = params.get("seed");
  const seed = seedText === null ? null : Number(seedText);
  if (seed !== null && !(Number.isSafeInteger(seed) && seed >= 0)) throw new Error(`this link's seed '${seedText}' is not a whole number`);
  const fileName = params.get("f") ?? "scenario.sbx";
  return { text, fileName: /^[A-Za-z0-9_.-]+\.sbx$/.test(fileName) ? fileName : "scenario.sbx", seed };
}
