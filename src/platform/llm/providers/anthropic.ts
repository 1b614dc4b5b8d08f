/**
 * Anthropic through its official SDK: the messages API, one user message.
 * The SDK (1.x) speaks API version 2026-10-21, which rejects sampling
 * parameters, so `temperature` is not sent (docs/differences.md).
 */
import Anthropic from "@anthropic-ai/sdk";
import type { Scrubber } from "../../../llm/scrub.ts";
import type { ModelClient, ModelOutcome, ModelRequest } from "../../../llm/types.ts";
import { badResponseFault, connectionFault, httpFault, timeoutFault } from "./common.ts";
import { httpFetch } from "./http-fetch.ts";

export function anthropicClient(env: Readonly<Record<string, string | undefined>>, scrub: Scrubber): ModelClient {
  // sbx retries itself (seeded jitter, every fault logged), so the SDK must not.
  const client = new Anthropic({ apiKey: env["ANTHROPIC_API_KEY"] ?? null, baseURL: env["ANTHROPIC_BASE_URL"] || null, maxRetries: 0, fetch: httpFetch });
  return {
    async complete(req: ModelRequest): Promise<ModelOutcome> {
      try {
        const msg = await client.messages.create(
          { model: req.model, max_tokens: req.maxTokens, system: req.system, messages: [{ role: "user", content: req.user }] },
          { timeout: req.timeoutSeconds * 1000, maxRetries: 0 },
        );
        if (!msg || !Array.isArray(msg.content)) return badResponseFault();
        const text = msg.content.map((b) => (b.type === "text" ? b.text : "")).join("");
        return {
          kind: "response",
          text: scrub(text),
          tokensIn: msg.usage?.input_tokens ?? 0,
          tokensOut: msg.usage?.output_tokens ?? 0,
          refusal: msg.stop_reason === "refusal",
        };
      } catch (e) {
        if (e instanceof Anthropic.APIConnectionTimeoutError) return timeoutFault(req.timeoutSeconds);
        if (e instanceof Anthropic.APIConnectionError) return connectionFault();
        if (e instanceof Anthropic.APIError && typeof e.status === "number") return httpFault(e.status, e.headers, e.apiMessage ?? e.message, scrub);
        return badResponseFault();
      }
    },
  };
}
