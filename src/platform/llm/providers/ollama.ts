/** Ollama through its official client: POST /api/chat, not streamed; tokens from prompt_eval_count / eval_count. */
import { Ollama } from "ollama";
import type { Scrubber } from "../../../llm/scrub.ts";
import type { ModelClient, ModelOutcome, ModelRequest } from "../../../llm/types.ts";
import { badResponseFault, connectionFault, httpFault, timeoutFault } from "./common.ts";

export function ollamaClient(env: Readonly<Record<string, string | undefined>>, scrub: Scrubber): ModelClient {
  const host = env["OLLAMA_HOST"] || "http://127.0.0.1:11434";
  return {
    async complete(req: ModelRequest): Promise<ModelOutcome> {
      // One client per call: its fetch applies the call's timeout and keeps the
      // response headers (the client's errors carry only the status).
      let headers: Headers | null = null;
      const timed: typeof fetch = async (input, init) => {
        const res = await fetch(input, { ...init, signal: AbortSignal.timeout(req.timeoutSeconds * 1000) });
        headers = res.headers;
        return res;
      };
      const client = new Ollama({ host, fetch: timed });
      try {
        const res = await client.chat({
          model: req.model,
          stream: false,
          messages: [
            { role: "system", content: req.system },
            { role: "user", content: req.user },
          ],
          options: { temperature: req.temperature, num_predict: req.maxTokens },
        });
        if (!res || typeof res.message !== "object" || res.message === null) return badResponseFault();
        return { kind: "response", text: scrub(res.message.content ?? ""), tokensIn: res.prompt_eval_count ?? 0, tokensOut: res.eval_count ?? 0, refusal: false };
      } catch (e) {
        const err = e as { name?: string; status_code?: unknown; error?: unknown; cause?: { name?: string } };
        if (err.name === "TimeoutError" || err.cause?.name === "TimeoutError") return timeoutFault(req.timeoutSeconds);
        if (typeof err.status_code === "number") return httpFault(err.status_code, headers, typeof err.error === "string" ? err.error : null, scrub);
        if (err.name === "TypeError") return connectionFault();
        return badResponseFault();
      }
    },
  };
}
