/**
 * The live client: each request goes to its provider's SDK. The SDKs are
 * loaded on first use, so commands that never call a model never load them.
 */
import type { Scrubber } from "../../../llm/scrub.ts";
import type { ModelClient, ModelOutcome, ModelRequest, Provider } from "../../../llm/types.ts";
import { timeoutFault } from "./common.ts";

/** Beyond the call's own timeout, how long the guard waits before it gives up on the SDK. */
const GRACE_MS = 1000;

export function liveClient(env: Readonly<Record<string, string | undefined>>, scrub: Scrubber): ModelClient & { prepare(providers: readonly Provider[]): Promise<void> } {
  const clients = new Map<Provider, Promise<ModelClient>>();
  const load = async (provider: Provider): Promise<ModelClient> => {
    switch (provider) {
      case "anthropic":
        return (await import("./anthropic.ts")).anthropicClient(env, scrub);
      case "openai":
        return (await import("./openai.ts")).openaiClient(env, scrub);
      case "ollama":
        return (await import("./ollama.ts")).ollamaClient(env, scrub);
    }
  };
  const get = (provider: Provider): Promise<ModelClient> => {
    let client = clients.get(provider);
    if (!client) clients.set(provider, (client = load(provider)));
    return client;
  };
  return {
    async complete(request: ModelRequest): Promise<ModelOutcome> {
      const client = await get(request.provider);
      // The SDKs time out waiting for headers; a body that stalls afterwards is caught here.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const guard = new Promise<ModelOutcome>((resolve) => {
        timer = setTimeout(() => resolve(timeoutFault(request.timeoutSeconds)), request.timeoutSeconds * 1000 + GRACE_MS);
      });
      try {
        return await Promise.race([client.complete(request), guard]);
      } finally {
        clearTimeout(timer);
      }
    },
    async prepare(providers: readonly Provider[]): Promise<void> {
      await Promise.all(providers.map(get));
    },
  };
}
