/**
 * The one interface between LLM agents and whatever answers them: a live
 * provider (Anthropic, OpenAI, Ollama through their SDKs), a cassette, or the
 * offline responder. The engine sees only `ModelClient`, never which one.
 *
 * A client never throws for a provider's failure: every failure comes back
 * as a `fault` outcome with a normalised kind and a detail text sbx wrote
 * itself (never a raw SDK message, which could carry a key or vary between
 * runs).
 */
export const LLM_PROVIDERS = ["anthropic", "openai", "ollama"] as const;
export type Provider = (typeof LLM_PROVIDERS)[number];

/** One model call: a system prompt and one user message. */
export interface ModelRequest {
  readonly provider: Provider;
  readonly model: string;
  readonly system: string;
  readonly user: string;
  readonly temperature: number;
  readonly maxTokens: number;
  readonly timeoutSeconds: number;
  /**
   * The call's identity, unique within a run and the same in every run of the
   * same plan given the same answers: `e<epoch>s<step>/<phase>/<agent>[/p<proposal>]#<attempt>`.
   */
  readonly callId: string;
  /** Position of the call's decision in the run (schedule order), for ordering cassettes. */
  readonly decision: number;
  readonly attempt: number;
}

/** Transport-level failures (the request got no usable completion). */
export const TRANSPORT_FAULTS = ["timeout", "rate_limited", "server_error", "connection", "bad_response", "client_error", "cassette_miss"] as const;
/** Completion-level failures (the model answered, but not usably). */
export const ANSWER_FAULTS = ["refusal", "empty", "malformed", "invalid"] as const;
export type TransportFault = (typeof TRANSPORT_FAULTS)[number];
export type AnswerFault = (typeof ANSWER_FAULTS)[number];
export type FaultKind = TransportFault | AnswerFault;

/** Transport faults worth another attempt; the rest (a bad key, an unknown model, a cassette miss) will not improve. */
export const RETRYABLE: ReadonlySet<FaultKind> = new Set<FaultKind>(["timeout", "rate_limited", "server_error", "connection", "bad_response"]);

export type ModelOutcome =
  | {
      readonly kind: "response";
      readonly text: string;
      readonly tokensIn: number;
      readonly tokensOut: number;
      /** The provider flagged a refusal (Anthropic stop_reason "refusal", OpenAI message.refusal or a content filter). */
      readonly refusal: boolean;
    }
  | {
      readonly kind: "fault";
      readonly fault: TransportFault;
      /** HTTP status when there was one. */
      readonly status: number | null;
      /** Seconds the provider asked us to wait (retry-after-ms, retry-after), when it said. */
      readonly retryAfterSeconds: number | null;
      readonly detail: string;
    };

export interface ModelClient {
  complete(request: ModelRequest): Promise<ModelOutcome>;
}
