/**
 * Where the queue is: a `redis://` or `rediss://` URL, with its credentials
 * taken from the URL, from the environment (`SBX_REDIS_PASSWORD`,
 * `SBX_REDIS_USERNAME`) or from a file (`SBX_REDIS_PASSWORD_FILE`, the way
 * Docker and systemd hand out secrets). The password is never printed:
 * everything sbx shows of the target is `shown` (the URL with its
 * credentials masked), and every error text from Redis or the network passes
 * through `scrub` first.
 */
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "bullmq";
import type { RedisOptions } from "ioredis";
import { osReason } from "../platform/files.ts";

export interface QueueTarget {
  /** The URL as it may be printed: `redis://***@host:6379/0`. */
  readonly shown: string;
  /** ioredis options for every connection sbx opens. */
  readonly options: RedisOptions;
  /** The same options, as BullMQ takes them (its own copy of ioredis's types differs in detail). */
  readonly connection: ConnectionOptions;
  /** Removes the credentials from a text (an error message) before it is shown. */
  readonly scrub: (text: string) => string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const PASSWORD_VARIABLE = "SBX_REDIS_PASSWORD";
export const PASSWORD_FILE_VARIABLE = "SBX_REDIS_PASSWORD_FILE";
export const USERNAME_VARIABLE = "SBX_REDIS_USERNAME";
/** A PEM file of the certificate authority that signed the server's certificate (rediss:// with a private CA). */
export const CA_FILE_VARIABLE = "SBX_REDIS_CA_FILE";

const MASK = "***";

/**
 * The target of `--queue URL`, or why it cannot be used. The problem text
 * never repeats the URL: a malformed one may still hold a password.
 */
export function queueTarget(url: string, env: Env = process.env): { target: QueueTarget } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: "--queue expects a URL such as redis://host:6379/0 or rediss://host:6380/0" };
  }
  const tls = parsed.protocol === "rediss:";
  if (parsed.protocol !== "redis:" && !tls) return { problem: `--queue expects a redis:// or rediss:// URL, not ${parsed.protocol}//…` };
  if (!parsed.hostname) return { problem: "--queue names no host (redis://host:6379/0)" };
  if (parsed.search || parsed.hash) return { problem: "--queue takes no query or fragment: give the password in SBX_REDIS_PASSWORD or SBX_REDIS_PASSWORD_FILE" };
  const port = parsed.port === "" ? 6379 : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, "");
  if (!/^\d{0,2}$/.test(dbText)) return { problem: `--queue names database '${dbText}': expected a number, as in redis://host:6379/0` };
  const db = dbText === "" ? 0 : Number(dbText);

  let password: string | undefined = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  let username: string | undefined = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  if (password === undefined && env[PASSWORD_VARIABLE]) password = env[PASSWORD_VARIABLE];
  if (password === undefined && env[PASSWORD_FILE_VARIABLE]) {
    const file = env[PASSWORD_FILE_VARIABLE]!;
    try {
      // A secret file usually ends with a newline that is not part of the password.
      password = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      return { problem: `cannot read the Redis password from ${file} (${PASSWORD_FILE_VARIABLE}): ${osReason(e)}` };
    }
  }
  if (username === undefined && env[USERNAME_VARIABLE]) username = env[USERNAME_VARIABLE];

  let ca: string | undefined;
  if (tls && env[CA_FILE_VARIABLE]) {
    try {
      ca = readFileSync(env[CA_FILE_VARIABLE]!, "utf8");
    } catch (e) {
      return { problem: `cannot read the certificate authority ${env[CA_FILE_VARIABLE]} (${CA_FILE_VARIABLE}): ${osReason(e)}` };
    }
  }

  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  // Credentials given in the URL are masked; those from the environment or a file are not part of it.
  const credentials = parsed.username || parsed.password ? `${MASK}@` : "";
  const shown = `${parsed.protocol}//${credentials}${parsed.host}/${db}`;
  const secrets = [password, password && encodeURIComponent(password), parsed.password].filter((s): s is string => typeof s === "string" && s.length > 0);
  const scrub = (text: string): string => {
    let out = text;
    for (const s of secrets) out = out.split(s).join(MASK);
    // A URL with credentials that a library may echo back.
    return out.replace(/(rediss?:\/\/)[^@/\s]*@/g, `$1${MASK}@`);
  };
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { tls: { servername: host, ...(ca !== undefined ? { ca } : {}) } } : {}),
    // BullMQ's blocking connections need commands to wait out a reconnection rather than fail.
    maxRetriesPerRequest: null,
    // Reconnect quickly after a Redis restart, then every few seconds for as long as it takes.
    retryStrategy: (times: number) => Math.min(250 * times, 3000),
  };
  return { target: { shown, options, connection: options as ConnectionOptions, scrub } };
}

/** A connection error in words, credentials removed: `ECONNREFUSED 127.0.0.1:6379` → `connection refused`. */
export function connectionReason(error: unknown, target: QueueTarget): string {
  const e = error as NodeJS.ErrnoException & { message?: string };
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused (is redis-server running there?)",
    ENOTFOUND: "no such host",
    EAI_AGAIN: "the host name could not be resolved",
    ETIMEDOUT: "the connection timed out",
    ECONNRESET: "the connection was reset",
    EHOSTUNREACH: "the host is unreachable",
  };
  if (e?.code && known[e.code]) return known[e.code]!;
  const message = String(e?.message ?? error);
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) return "Redis refused the credentials (wrong user name or password)";
  if (/NOAUTH/i.test(message)) return `Redis asks for a password: put it in ${PASSWORD_VARIABLE} or in a file named by ${PASSWORD_FILE_VARIABLE}`;
  return target.scrub(message.replace(/\s+/g, " ").trim());
}
