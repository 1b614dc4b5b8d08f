/** OpenAI (and OpenAI-compatible servers) through its official SDK: chat completions, system and user messages. */
import OpenAI from "openai";
import type { Scrubber } from "../../../llm/scrub.ts";
import type { ModelClient, ModelOutcome, ModelRequest } from "../../../llm/types.ts";
import { badResponseFault, connectionFault, httpFault, timeoutFault } from "./common.ts";
import { httpFetch } from "./http-fetch.ts";

export function openaiClient(env: Readonly<Record<string, string | undefined>>, scrub: Scrubber): ModelClient {
  const client = new OpenAI({ apiKey: env["OPENAI_API_KEY"], baseURL: env["OPENAI_BASE_URL"] || undefined, maxRetries: 0, fetch: httpFetch });
  return {
    async complete(req: ModelRequest): Promise<ModelOutcome> {
      try {
        const res = await client.chat.completions.create(
          {
            model: req.model,
            temperature: req.temperature,
            max_tokens: req.maxTokens,
            messages: [
              { role: "system", content: req.system },
              { role: "user", content: req.user },
            ],
          },
          { timeout: req.timeoutSeconds * 1000, maxRetries: 0 },
        );
        const choice = res?.choices?.[0];
        if (!choice) return badResponseFault();
        const refusal = (typeof choice.message?.refusal === "string" && choice.message.refusal !== "") || choice.finish_reason === "content_filter";
        return {
          kind: "response",
          text: scrub(choice.message?.content ?? ""),
          tokensIn: res.usage?.prompt_tokens ?? 0,
          tokensOut: res.usage?.completion_tokens ?? 0,
          refusal,
        };
      } catch (e) {
        if (e instanceof OpenAI.APIConnectionTimeoutError) return timeoutFault(req.timeoutSeconds);
        if (e instanceof OpenAI.APIConnectionError) return connectionFault();
        if (e instanceof OpenAI.APIError && typeof e.status === "number") {
          const body = e.error as { message?: unknown } | undefined;
          return httpFault(e.status, e.headers, typeof body?.message === "string" ? body.message : e.message, scrub);
        }
        return badResponseFault();
      }
    },
  };
}
