/**
 * A sweep's LLM budget across every worker: one counter in Redis. Before a
 * call goes out, its worst-case cost is reserved, atomically, and only if
 * what is spent plus what is reserved plus this call fits under the ceiling;
 * when the call returns, the reservation becomes its actual cost. A worker
 * that dies mid-call leaves its reservation in place, which errs on the side
 * of spending less. Amounts are whole nano-dollars, rounded up, so sums are
 * exact whatever order the workers add them in.
 */
import type { Redis } from "ioredis";

const NANOS = 1e9;
export const toNanos = (usd: number): number => Math.ceil(usd * NANOS - 1e-6);
const fromNanos = (n: number): number => n / NANOS;

// KEYS[1] the budget hash; ARGV[1] the call's bound in nano-dollars. 1 = reserved, 0 = refused.
const RESERVE = `
local ceiling = tonumber(redis.call('HGET', KEYS[1], 'ceiling'))
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
local bound = tonumber(ARGV[1])
if ceiling and spent + reserved + bound > ceiling then
  redis.call('HINCRBY', KEYS[1], 'refused', 1)
  return 0
end
redis.call('HINCRBY', KEYS[1], 'reserved', bound)
return 1
`;

// KEYS[1] the budget hash; ARGV[1] the reserved bound, ARGV[2] the actual cost (nano-dollars).
const SETTLE = `
redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(ARGV[1]))
redis.call('HINCRBY', KEYS[1], 'spent', tonumber(ARGV[2]))
redis.call('HINCRBY', KEYS[1], 'calls', 1)
return 1
`;

export interface BudgetState {
  readonly ceilingUsd: number | null;
  readonly spentUsd: number;
  readonly reservedUsd: number;
  /** Calls refused because the sweep's budget could not cover them. */
  readonly refused: number;
  readonly calls: number;
}

export class SweepBudget {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  /** Sets the ceiling (null: none). What was spent stays spent. */
  async setCeiling(usd: number | null): Promise<void> {
    if (usd === null) await this.redis.hdel(this.key, "ceiling");
    else await this.redis.hset(this.key, "ceiling", String(Math.floor(usd * NANOS + 1e-6)));
  }

  /** Whether a call that costs at most `boundUsd` may go out; if so, the bound is now reserved. */
  async reserve(boundUsd: number): Promise<boolean> {
    return (await this.redis.eval(RESERVE, 1, this.key, String(toNanos(boundUsd)))) === 1;
  }

  async settle(boundUsd: number, costUsd: number): Promise<void> {
    await this.redis.eval(SETTLE, 1, this.key, String(toNanos(boundUsd)), String(toNanos(costUsd)));
  }

  async state(): Promise<BudgetState> {
    const h = await this.redis.hgetall(this.key);
    const n = (k: string): number => Number(h[k] ?? 0);
    return {
      ceilingUsd: h["ceiling"] === undefined ? null : fromNanos(n("ceiling")),
      spentUsd: fromNanos(n("spent")),
      reservedUsd: fromNanos(n("reserved")),
      refused: n("refused"),
      calls: n("calls"),
    };
  }
}
