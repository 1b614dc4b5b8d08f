/** `--queue URL`: where the credentials come from, TLS, and what may be printed of it. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectionReason, queueTarget, type QueueTarget } from "../../src/distributed/connection.ts";
import { jobId, refusal, PLAN_FORMAT_ID, type RunJobData } from "../../src/distributed/store.ts";
import { SBX_VERSION } from "../../src/version.ts";
import { sbx } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "sbx-queue-url-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function target(url: string, env: Record<string, string> = {}): QueueTarget {
  const r = queueTarget(url, env);
  if ("problem" in r) throw new Error(r.problem);
  return r.target;
}

describe("queue addresses", () => {
  it("reads host, port and database, with Redis's defaults", () => {
    expect(target("redis://queue.lab:6380/3").options).toMatchObject({ host: "queue.lab", port: 6380, db: 3 });
    expect(target("redis://queue.lab").options).toMatchObject({ host: "queue.lab", port: 6379, db: 0 });
    expect(target("redis://[::1]:6379/0").options).toMatchObject({ host: "::1" });
    expect(target("redis://queue.lab").options.tls).toBeUndefined();
  });

  it("speaks TLS for rediss://, checking the server's name, with a private authority from a file", () => {
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect(target("rediss://queue.lab:6380/0").options.tls).toEqual({ servername: "queue.lab" });
    expect(target("rediss://queue.lab:6380/0", { SBX_REDIS_CA_FILE: ca }).options.tls).toEqual({ servername: "queue.lab", ca: readFileSync(ca, "utf8") });
  });

  it("takes the password from the URL, else SBX_REDIS_PASSWORD, else the file SBX_REDIS_PASSWORD_FILE names", () => {
    const file = join(dir, "password");
    writeFileSync(file, "from-the-file\n");
    const env = { SBX_REDIS_PASSWORD: "from-the-env", SBX_REDIS_PASSWORD_FILE: file, SBX_REDIS_USERNAME: "sbx" };
    expect(target("redis://alice:in%40url@h/0", env).options).toMatchObject({ username: "alice", password: "in@url" });
    expect(target("redis://h/0", env).options).toMatchObject({ username: "sbx", password: "from-the-env" });
    expect(target("redis://h/0", { SBX_REDIS_PASSWORD_FILE: file }).options.password).toBe("from-the-file");
    expect(target("redis://h/0").options.password).toBeUndefined();
  });

  it("names an unreadable password file with the system's reason", () => {
    const r = queueTarget("redis://h/0", { SBX_REDIS_PASSWORD_FILE: join(dir, "absent") });
    expect(r).toEqual({ problem: `cannot read the Redis password from ${join(dir, "absent")} (SBX_REDIS_PASSWORD_FILE): no such file or directory` });
  });

  it("never shows the password: masked in the URL it prints, removed from error texts", () => {
    const t = target("redis://:p%40ss-w0rd-123@queue.lab:6379/2");
    expect(t.shown).toBe("redis://***@queue.lab:6379/2");
    expect(target("redis://queue.lab:6379/2", { SBX_REDIS_PASSWORD: "p@ss-w0rd-123" }).shown).toBe("redis://queue.lab:6379/2");
    expect(t.scrub("AUTH p@ss-w0rd-123 failed for redis://:p%40ss-w0rd-123@queue.lab")).toBe("AUTH *** failed for redis://***@queue.lab");
    expect(connectionReason(new Error("WRONGPASS invalid username-password pair or user is disabled."), t)).toBe("Redis refused the credentials (wrong user name or password)");
    expect(connectionReason(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" }), t)).toBe("connection refused (is redis-server running there?)");
  });

  it("refuses what is not a Redis URL without repeating it (it may hold a password)", () => {
    for (const url of ["http://:secret-1@h/0", "not a url secret-1", "redis://:secret-1@h/zero", "redis://:secret-1@h/0?password=x"]) {
      const r = queueTarget(url, {});
      expect("problem" in r, url).toBe(true);
      if ("problem" in r) expect(r.problem).not.toContain("secret-1");
    }
  });
});

describe("jobs", () => {
  it("have ids made of the sweep, the cell, its plan hash and the seeds, so queuing twice adds nothing", () => {
    const hash = "sha256:0ad1b496073aef408eba353c67d931bdd2cddb8434ff0d0669f7f6617dfe73ec";
    expect(jobId("tax", 1, hash, [101])).toBe("tax.1.0ad1b496073aef40.101");
    expect(jobId("tax", 1, hash, [101, 102, 103])).toBe("tax.1.0ad1b496073aef40.101x3");
    expect(jobId("tax", 1, hash, [101])).toBe(jobId("tax", 1, hash, [101]));
  });

  it("are refused by a worker of another release or plan format, with the reason", () => {
    const data: RunJobData = { sweep: "s", fingerprint: "f", cell: 0, planHash: "h", seeds: [1], sbxVersion: SBX_VERSION, planFormat: PLAN_FORMAT_ID };
    expect(refusal(data)).toBeNull();
    expect(refusal({ ...data, sbxVersion: "9.9.9" })).toMatch(/^this worker runs sbx \S+ but the sweep was queued by sbx 9\.9\.9, whose numbers may differ/);
    expect(refusal({ ...data, planFormat: "sbx-plan/2" })).toBe(`the job's plans are in format sbx-plan/2; this worker reads ${PLAN_FORMAT_ID}`);
  });
});

describe("sbx sweep --queue and sbx worker: usage", () => {
  const cases: [string[], string][] = [
    [["sweep", "--collect", "tax"], "--collect needs --queue URL"],
    [["sweep", "scenarios/tax_sweep.sbx", "--queue", "redis://127.0.0.1:1/0", "--collect", "tax"], "give either FILE to queue a sweep or --collect NAME to gather one, not both"],
    [["sweep", "--queue", "redis://127.0.0.1:1/0"], "missing FILE"],
    [["sweep", "scenarios/tax_sweep.sbx", "--queue", "redis://127.0.0.1:1/0", "--jobs", "2"], "--jobs is for sweeps on this machine"],
    [["sweep", "scenarios/tax_sweep.sbx", "--queue", "redis://127.0.0.1:1/0", "--batch", "0"], "--batch expects a whole number of at least 1, got '0'"],
    [["sweep", "scenarios/tax_sweep.sbx", "--queue", "redis://127.0.0.1:1/0", "--budget", "lots"], "--budget expects an amount in USD (e.g. 2.5), got 'lots'"],
    [["sweep", "scenarios/tax_sweep.sbx", "--queue", "redis://127.0.0.1:1/0", "--name", "a b"], "--name 'a b': a queued sweep's name is 1 to 64 letters, digits, '_' or '-'"],
    [["sweep", "--queue", "redis://127.0.0.1:1/0", "--collect", "tax", "--budget", "1"], "--budget applies when queuing a sweep, not to --collect"],
    [["sweep", "scenarios/tax_sweep.sbx", "--name", "tax"], "--name applies to queued sweeps (--queue URL)"],
    [["worker"], "sbx worker needs --queue URL (or SBX_QUEUE_URL)"],
    [["worker", "--queue", "redis://127.0.0.1:1/0", "--concurrency", "none"], "--concurrency expects a whole number of at least 1, got 'none'"],
  ];
  it("exits 2 and says what is wrong, without touching any queue", () => {
    for (const [args, problem] of cases) {
      const r = sbx(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(`error[SBX5002]: ${problem}`);
    }
  });
});
