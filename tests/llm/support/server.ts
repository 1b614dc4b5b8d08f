/**
 * A local model server for the LLM tests: speaks Anthropic's messages API,
 * OpenAI's chat completions and Ollama's chat on 127.0.0.1, so the real SDKs
 * talk to it over HTTP as they would to the providers. It records every
 * request, answers with plausible decisions, and injects faults on cue: slow
 * answers, 429 with retry-after, 500, a body that is not JSON, malformed or
 * empty completions and refusals.
 *
 * Faults are chosen from what a request says (agent, epoch, step, proposal,
 * and how often that decision has asked), never from arrival order, so a
 * concurrent run meets the same faults every time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Protocol = "anthropic" | "openai" | "ollama";

export interface Ask {
  readonly protocol: Protocol;
  readonly model: string;
  readonly system: string;
  readonly user: string;
  readonly maxTokens: number;
  /** Whatever credential came with the request (x-api-key or the bearer token). */
  readonly credential: string | null;
  /** `agent/epoch/step/act` or `agent/epoch/step/p<proposal>`: the decision asking. */
  readonly decision: string;
  /** How many times this decision has asked, this one included (1 = first call). */
  readonly seen: number;
  readonly isAccept: boolean;
}

export type Reply =
  | { readonly kind: "answer"; readonly text: string; readonly delayMs?: number }
  | { readonly kind: "refusal"; readonly delayMs?: number }
  | { readonly kind: "status"; readonly status: number; readonly headers?: Record<string, string>; readonly message?: string; readonly delayMs?: number }
  /** 200 with a body that is not JSON. */
  | { readonly kind: "garbage" }
  /** Answers only after `delayMs` (past the client's timeout). */
  | { readonly kind: "slow"; readonly delayMs: number }
  /** Sends the headers and the start of the body at once, the rest after `delayMs`. */
  | { readonly kind: "stall"; readonly delayMs: number };

export interface ServerOptions {
  /** Latency of every answer, in ms (default 0). */
  readonly latencyMs?: number;
  /** Report the most tokens a call could use (input = prompt bytes + 64, output = max_tokens) instead of an estimate. */
  readonly worstCaseUsage?: boolean;
  /** Report this usage instead (e.g. more input tokens than the prompt has bytes, as no real tokenizer does). */
  readonly usage?: (ask: Ask, promptBytes: number) => { readonly tokensIn: number; readonly tokensOut: number };
  /** Chooses a reply; null falls through to the plausible default. */
  readonly script?: (ask: Ask) => Reply | null;
  /** Put the request's credential into answers and error messages (to test that sbx scrubs it). */
  readonly echoCredential?: boolean;
}

/** A request, recorded on arrival; `status` is set once answered (null while pending or when the client gave up). */
export interface Recorded {
  readonly protocol: Protocol;
  readonly path: string;
  readonly ask: Ask;
  status: number | null;
}

export interface ModelServer {
  readonly url: string;
  readonly requests: Recorded[];
  /** The most requests that were ever in flight at once (arrived, not yet answered). */
  readonly maxInFlight: number;
  /**
   * Environment pointing every SDK at this server. Each provider gets its own
   * key (so a test can tell them apart), unless one `key` is given for all.
   */
  env(key?: string): Record<string, string>;
  close(): Promise<void>;
}

const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

/** A plausible decision from the prompt: vote on a shown post, propose to a shown agent, or post. */
export function plausible(ask: Ask, salt = 0): string {
  if (ask.isAccept) return JSON.stringify({ accept: (ask.seen + salt + ask.decision.length) % 4 !== 0, reasoning: "Looks fair." });
  const self = /^Your ID: (\S+)$/m.exec(ask.user)?.[1];
  const agents = [...ask.user.matchAll(/^- (\S+): reputation /gm)].map((m) => m[1]!).filter((a) => a !== self);
  const posts = [...ask.user.matchAll(/^- post_id (\d+) by /gm)].map((m) => Number(m[1]));
  const h = [...ask.decision].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, salt);
  const choice = h % 4;
  if (choice === 0 && agents.length) {
    return JSON.stringify({ action_type: "PROPOSE_INTERACTION", reasoning: "Cooperation pays.", params: { counterparty_id: agents[h % agents.length], interaction_type: "collaboration", content: "Work together?" } });
  }
  if (choice === 1 && posts.length) return `Here is my move:\n\`\`\`json\n${JSON.stringify({ action_type: "VOTE", reasoning: "Useful post.", params: { post_id: posts[h % posts.length], direction: 1 } })}\n\`\`\``;
  if (choice === 2) return JSON.stringify({ action_type: "NOOP", reasoning: "Waiting.", params: {} });
  return JSON.stringify({ action_type: "POST", reasoning: "Sharing helps.", params: { content: `Notes from ${self ?? "someone"}.` } });
}

function decisionOf(user: string): { decision: string; isAccept: boolean } {
  const self = /^Your ID: (\S+)$/m.exec(user)?.[1] ?? "?";
  const at = /^Epoch: (\d+), Step: (\d+)$/m.exec(user);
  const proposal = /^Proposal ID: (\d+)$/m.exec(user)?.[1];
  const isAccept = proposal !== undefined;
  return { decision: `${self}/${at?.[1] ?? "?"}/${at?.[2] ?? "?"}/${isAccept ? `p${proposal}` : "act"}`, isAccept };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startModelServer(options: ServerOptions = {}): Promise<ModelServer> {
  const requests: Recorded[] = [];
  const seen = new Map<string, number>();
  const sockets = new Set<import("node:net").Socket>();
  let inFlight = 0;
  let maxInFlight = 0;

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "").split("?")[0]!;
    const protocol: Protocol | null = path.endsWith("/v1/messages") ? "anthropic" : path.endsWith("/chat/completions") ? "openai" : path === "/api/chat" ? "ollama" : null;
    const text = await body(req);
    if (req.method !== "POST" || !protocol) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      return;
    }
    const json = JSON.parse(text) as Record<string, unknown>;
    const messages = (json["messages"] as { role: string; content: string }[]) ?? [];
    const system = protocol === "anthropic" ? String(json["system"] ?? "") : (messages.find((m) => m.role === "system")?.content ?? "");
    const user = messages.filter((m) => m.role === "user").map((m) => m.content).join("\n");
    const maxTokens = protocol === "anthropic" ? Number(json["max_tokens"]) : protocol === "openai" ? Number(json["max_tokens"]) : Number((json["options"] as { num_predict?: number } | undefined)?.num_predict);
    const auth = req.headers["authorization"];
    const credential = (req.headers["x-api-key"] as string | undefined) ?? (typeof auth === "string" ? auth.replace(/^Bearer\s+/i, "") : null);
    const { decision, isAccept } = decisionOf(user);
    const n = (seen.get(decision) ?? 0) + 1;
    seen.set(decision, n);
    const ask: Ask = { protocol, model: String(json["model"]), system, user, maxTokens, credential, decision, seen: n, isAccept };
    const record: Recorded = { protocol, path, ask, status: null };
    requests.push(record);
    const reply: Reply = options.script?.(ask) ?? { kind: "answer", text: plausible(ask) };
    const echo = options.echoCredential && credential ? ` (key ${credential})` : "";
    if (reply.kind === "stall") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"id": "stalled", ');
      await sleep(reply.delayMs);
      if (!res.destroyed) res.end('"choices": []}');
      return;
    }
    const wait = (reply.kind === "slow" ? reply.delayMs : "delayMs" in reply ? (reply.delayMs ?? 0) : 0) + (options.latencyMs ?? 0);
    if (wait > 0) await sleep(wait);
    const send = (code: number, payload: string, headers: Record<string, string> = {}): void => {
      if (res.destroyed) return;
      record.status = code;
      res.writeHead(code, { "content-type": "application/json", ...headers }).end(payload);
    };
    switch (reply.kind) {
      case "status": {
        const message = `${reply.message ?? "failure"}${echo}`;
        const payload =
          protocol === "anthropic"
            ? { type: "error", error: { type: reply.status === 429 ? "rate_limit_error" : "api_error", message } }
            : protocol === "openai"
              ? { error: { message, type: "server_error", code: null } }
              : { error: message };
        send(reply.status, JSON.stringify(payload), reply.headers);
        break;
      }
      case "garbage":
        send(200, "<html>not json");
        break;
      default: {
        const refusal = reply.kind === "refusal";
        let content = refusal ? "" : reply.kind === "answer" ? reply.text : plausible(ask);
        if (echo && !refusal) content = content.replace(/"reasoning":\s*"/, `"reasoning": "${echo.trim()} `).replace(/("content":\s*")/, `$1${echo.trim()} `);
        const reported = options.usage?.(ask, bytes(system) + bytes(user));
        const tokensIn = reported?.tokensIn ?? (options.worstCaseUsage ? bytes(system) + bytes(user) + 64 : Math.ceil((bytes(system) + bytes(user)) / 4));
        const tokensOut = reported?.tokensOut ?? (options.worstCaseUsage ? maxTokens : Math.min(maxTokens, Math.ceil(bytes(content) / 4)));
        if (protocol === "anthropic") {
          send(
            200,
            JSON.stringify({
              id: `msg_${requests.length}`,
              type: "message",
              role: "assistant",
              model: ask.model,
              content: content ? [{ type: "text", text: content }] : [],
              stop_reason: refusal ? "refusal" : "end_turn",
              stop_sequence: null,
              usage: { input_tokens: tokensIn, output_tokens: tokensOut },
            }),
          );
        } else if (protocol === "openai") {
          send(
            200,
            JSON.stringify({
              id: `chatcmpl-${requests.length}`,
              object: "chat.completion",
              created: 0,
              model: ask.model,
              choices: [{ index: 0, message: { role: "assistant", content: refusal ? null : content, refusal: refusal ? `I can't help with that.${echo}` : null }, finish_reason: "stop", logprobs: null }],
              usage: { prompt_tokens: tokensIn, completion_tokens: tokensOut, total_tokens: tokensIn + tokensOut },
            }),
          );
        } else {
          send(
            200,
            JSON.stringify({
              model: ask.model,
              created_at: "2026-01-01T00:00:00Z",
              message: { role: "assistant", content: refusal ? `I cannot help with that.${echo}` : content },
              done: true,
              done_reason: "stop",
              prompt_eval_count: tokensIn,
              eval_count: tokensOut,
            }),
          );
        }
      }
    }
  };

  const server: Server = createServer((req, res) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    handler(req, res)
      .catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) res.writeHead(500).end(String(e));
      })
      .finally(() => inFlight--);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    env: (key?: string) => ({
      ANTHROPIC_API_KEY: key ?? "sk-ant-test-1111111111111111111111",
      ANTHROPIC_BASE_URL: url,
      OPENAI_API_KEY: key ?? "sk-oai-test-2222222222222222222222",
      OPENAI_BASE_URL: `${url}/v1`,
      OLLAMA_HOST: url,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
