/**
 * The schema registry's content: every block and attribute of .sbx.
 * Defaults are the reference sandbox's (swarm-0.1.md §5–§10) unless noted.
 */
import { INTERACTION_TYPES, LLM_PROVIDERS, PROFILES, SCRIPTED_KINDS, TASK_DIFFICULTIES, TOPOLOGIES } from "../plan/schema.ts";
import type { AttrSpec, BlockSpec, PlainValue, ValueType } from "./types.ts";

const PROB: ValueType = { t: "probability" };
const NUM: ValueType = { t: "number" };
const INT: ValueType = { t: "number", int: true };
const BOOL: ValueType = { t: "bool" };
const STR: ValueType = { t: "string" };
const enumOf = (values: readonly string[]): ValueType => ({ t: "enum", values });

const NON_NEG = { min: 0 } as const;
const POSITIVE = { min: 0, minExclusive: true } as const;
const UNIT_INTERVAL = { min: 0, max: 1 } as const;

const SWARM = ["swarm-0.1"] as const;

const attr = (name: string, type: ValueType, doc: string, more: Partial<AttrSpec> = {}): AttrSpec => ({ name, type, doc, ...more });
const prob = (name: string, def: number, doc: string, more: Partial<AttrSpec> = {}): AttrSpec =>
  attr(name, PROB, doc, { default: def, unit: "probability", range: UNIT_INTERVAL, ...more });

const enabled = (doc = "Switch the block off without deleting it (handy in sweeps)."): AttrSpec => attr("enabled", BOOL, doc, { default: true });

const block = (kind: string, doc: string, attrs: AttrSpec[], more: Partial<BlockSpec> = {}): BlockSpec => ({
  kind,
  doc,
  attrs,
  blocks: [],
  named: "none",
  merge: "record",
  ...more,
});

const count = attr("count", INT, "How many agents of this group the population holds.", { default: 1, range: NON_NEG, unit: "agents" });

// ---- agents -------------------------------------------------------------------------

export const HONEST = block("honest", "Cooperative, trust-based agents: they accept proposals from partners they trust and propose collaborations.", [
  count,
  prob("acceptance_threshold", 0.4, "Trust needed to accept a proposal (lowered by 0.1 for collaborations, raised by 0.1 for trades)."),
  prob("trust_weight", 0.3, "Weight of partner trust against a neutral prior when accepting at end of step."),
  prob("post_probability", 0.3, "Chance of posting on a turn with nothing more pressing."),
  prob("vote_probability", 0.5, "Chance of voting on a visible post."),
  prob("interact_probability", 0.4, "Chance of proposing a collaboration to the most trusted visible agent."),
], { named: "optional", repeatable: true });

export const OPPORTUNISTIC = block("opportunistic", "Payoff-maximising agents: they cherry-pick tasks, vote strategically and propose trades to resource-rich agents.", [
  count,
  prob("post_probability", 0.4, "Chance of posting engagement bait."),
  prob("vote_probability", 0.6, "Chance of upvoting the top-ranked post."),
  prob("free_ride_probability", 0.3, "Chance of submitting minimal work on an active task."),
], { named: "optional", repeatable: true });

export const DECEPTIVE = block("deceptive", "Trust-then-exploit agents: they behave honestly until enough partners trust them, then propose exploitative trades.", [
  count,
  attr("trust_building_phase", INT, "Interactions with a partner before the agent turns selective with it.", { default: 5, range: NON_NEG, unit: "interactions" }),
  prob("exploitation_threshold", 0.7, "Trust a partner must reach to become an exploitation target."),
  prob("facade_probability", 0.8, "Chance of accepting a proposal during the trust-building phase."),
  prob("post_probability", 0.35, "Chance of posting trust-building content."),
], { named: "optional", repeatable: true });

export const ADVERSARIAL = block("adversarial", "Disruptive agents: they target honest agents with trades, downvote their posts and coordinate with other adversaries.", [
  count,
  attr("target_honest", BOOL, "Whether honest agents (and LLM agents, which report as honest) become targets.", { default: true }),
  prob("post_probability", 0.5, "Chance of posting disruptive content."),
  prob("attack_probability", 0.6, "Chance of attacking when the cooldown allows."),
  attr("attack_cooldown", INT, "Turns after an attack before the next one.", { default: 2, range: NON_NEG, unit: "turns" }),
], { named: "optional", repeatable: true });

export const LLM_AGENT = block("llm", "Agents whose decisions come from a language model, prompted with a persona.", [
  count,
  attr("provider", enumOf(LLM_PROVIDERS), "Which provider's API answers.", { default: "anthropic" }),
  attr("model", STR, "Model name as the provider spells it.", { default: "claude-sonnet-4-20250514" }),
  attr("persona", { t: "ref", kind: "persona" }, "The persona whose prompt frames the agent: honest, strategic, adversarial, open, or a declared persona.", { default: "open" }),
  attr("system_prompt", STR, "A system prompt that replaces the persona's prompt.", { default: null }),
  prob("temperature", 0.7, "Sampling temperature."),
  attr("max_tokens", INT, "Largest completion the model may return.", { default: 512, range: { min: 1 }, unit: "tokens" }),
  attr("timeout", { t: "duration", unit: "seconds" }, "How long to wait for one answer before counting a fault.", { default: 30, range: POSITIVE, unit: "seconds" }),
  attr("max_retries", INT, "Retries after a failed call (rate limits and server errors).", { default: 3, range: NON_NEG }),
  attr("fallback", enumOf(["noop", ...SCRIPTED_KINDS]), "What the agent does when the model cannot answer: nothing, or what a scripted kind would do.", { default: "noop" }),
  attr("cost_tracking", BOOL, "Whether calls count against the scenario's budget and cost metrics.", { default: true }),
], { named: "optional", repeatable: true });

/** A population group drawing on a declared stochastic policy. */
export const POLICY_GROUP = block("<policy>", "A group of agents following a declared policy.", [count], { named: "optional", repeatable: true });

export const AGENT_KINDS: readonly BlockSpec[] = [HONEST, OPPORTUNISTIC, DECEPTIVE, ADVERSARIAL, LLM_AGENT];

export const POPULATION = block("population", "Who takes part: `kind = count` for default parameters, or `kind name? { count = N … }` with parameters. Order is registration order, which is the schedule order.", [], {
  blocks: AGENT_KINDS,
  merge: "replace",
  reference: "agents",
});

// ---- world ------------------------------------------------------------------------------

export const PAYOFF = block("payoff", "Soft payoff parameters: π_a = θ·S − τ − c_a − ρ_a·E + w_rep·r_a, with S = p·s_plus − (1−p)·s_minus and E = (1−p)·harm.", [
  attr("s_plus", NUM, "Surplus when the interaction is beneficial.", { default: 2.0, range: NON_NEG, unit: "payoff" }),
  attr("s_minus", NUM, "Loss when the interaction is harmful.", { default: 1.0, range: NON_NEG, unit: "payoff" }),
  attr("harm", NUM, "Externality harm h imposed on the ecosystem by a harmful interaction.", { default: 2.0, range: NON_NEG, unit: "payoff", reference: "h" }),
  prob("theta", 0.5, "Initiator's share of the surplus (the counterparty gets 1 − θ)."),
  attr("rho_a", NUM, "Share of the externality the initiator internalises.", { default: 0.0, range: NON_NEG, advise: { max: 1, why: "the whitepaper takes ρ in [0, 1]" } }),
  attr("rho_b", NUM, "Share of the externality the counterparty internalises.", { default: 0.0, range: NON_NEG, advise: { max: 1, why: "the whitepaper takes ρ in [0, 1]" } }),
  attr("w_rep", NUM, "Weight of the reputation terms r_a and r_b (in profile sbx, each party's reputation change).", {
    default: 1.0,
    unit: "payoff",
    inert: { profiles: SWARM, why: "the reference never sets the reputation terms r_a and r_b, so their weight multiplies 0" },
  }),
], { preset: true });

const WEIGHTS = block("weights", "Weights of the proxy signals; normalised to sum 1 in absolute value.", [
  attr("task_progress", NUM, "Weight of forward task progress.", { default: 0.4 }),
  attr("rework", NUM, "Weight of the rework signal.", { default: 0.2 }),
  attr("verifier", NUM, "Weight of the verifier signal (rejections and misuse averaged).", { default: 0.2 }),
  attr("engagement", NUM, "Weight of the counterparty's engagement.", { default: 0.2 }),
], { inert: { profiles: SWARM, why: "the reference always uses the default proxy weights" } });

const PROXY_INERT = { profiles: SWARM, why: "the reference always uses the default proxy" } as const;

export const PROXY = block("proxy", "How observables become soft labels: v̂ = Σ w·signal clamped to [−1, 1], then p = 1/(1 + e^(−k·v̂)).", [
  attr("sigmoid_k", NUM, "Steepness k of the calibrated sigmoid.", { default: 2.0, range: NON_NEG, inert: PROXY_INERT }),
  prob("rework_decay", 0.3, "Decay of the rework signal: 2·decay^count − 1.", { inert: PROXY_INERT }),
  prob("rejection_decay", 0.4, "Decay of the verifier-rejection signal.", { inert: PROXY_INERT }),
  prob("misuse_decay", 0.5, "Decay of the tool-misuse signal.", { inert: PROXY_INERT }),
], { blocks: [WEIGHTS], preset: true });

export const RATE_LIMITS = block("rate_limits", "Per-agent limits on actions.", [
  attr("posts_per_epoch", INT, "Posts and replies per agent per epoch.", { default: 10, range: NON_NEG }),
  attr("interactions_per_step", INT, "Proposals per agent per step.", { default: 5, range: NON_NEG }),
  attr("votes_per_epoch", INT, "Votes per agent per epoch.", { default: 50, range: NON_NEG }),
  attr("tasks_per_epoch", INT, "Task claims per agent per epoch.", { default: 3, range: NON_NEG }),
  attr("advertised", BOOL, "Whether agents see their limits in observations (limits are enforced either way).", { default: true }),
], { preset: true });

export const FEED = block("feed", "The shared feed of posts, replies and votes.", [
  attr("reply_weight", NUM, "Weight of replies in a post's ranking score (net votes + weight·replies).", { default: 0.5 }),
  attr("visible_posts", INT, "Top-ranked posts each agent sees.", { default: 20, range: { min: 1 } }),
  attr("max_content_length", INT, "Longest post; longer content is truncated.", { default: 10000, range: { min: 1 }, unit: "characters" }),
]);

const DYNAMIC = block("dynamic", "Edges that evolve: accepted interactions strengthen them, every epoch decays them, and weak ones are pruned.", [
  enabled(),
  attr("strengthen_rate", NUM, "Weight added to an edge by an accepted interaction.", { default: 0.1, range: NON_NEG }),
  prob("decay_rate", 0.05, "Fraction of every edge's weight lost at the end of each epoch."),
  attr("min_weight", NUM, "Edges decayed below this weight are pruned.", { default: 0.1, range: NON_NEG }),
  attr("max_weight", NUM, "Cap on an edge's weight.", { default: 1.0, range: NON_NEG }),
], { enabledByPresence: true });

const TOPOLOGY_PARAM = (values: string[]) => ({ attr: "topology", values });

export const NETWORK = block("network", "Who can see and interact with whom. Without a network block everyone sees everyone.", [
  enabled("Switch the network off: everyone sees everyone."),
  attr("topology", enumOf(TOPOLOGIES), "Graph family.", { default: "complete" }),
  prob("edge_probability", 0.5, "Chance of each edge in an Erdős–Rényi graph.", { relevantWhen: TOPOLOGY_PARAM(["random_erdos_renyi"]) }),
  attr("k_neighbors", INT, "Neighbours of each agent in the small-world lattice before rewiring.", { default: 4, range: { min: 2 }, relevantWhen: TOPOLOGY_PARAM(["small_world"]), reference: "params.k" }),
  prob("rewire_probability", 0.1, "Chance of rewiring each lattice edge in a small-world graph.", { relevantWhen: TOPOLOGY_PARAM(["small_world"]) }),
  attr("m_edges", INT, "Edges each new agent attaches in a scale-free graph.", { default: 2, range: { min: 1 }, relevantWhen: TOPOLOGY_PARAM(["scale_free"]) }),
  attr("edges", { t: "edges" }, "Edges of a custom network as [agent, agent] or [agent, agent, weight] pairs.", { default: [], relevantWhen: TOPOLOGY_PARAM(["custom"]) }),
  attr("disconnect_below_reputation", NUM, "Agents whose reputation falls below this lose all their edges.", {
    default: null,
    inert: { profiles: SWARM, why: "the reference never disconnects anyone" },
  }),
  attr("exact_path_length_up_to", INT, "Average path length is exact (all-pairs BFS) up to this many agents and estimated from sampled sources above.", { default: 1000, range: NON_NEG, unit: "agents" }),
  attr("path_length_samples", INT, "BFS sources sampled to estimate the average path length of large networks.", { default: 256, range: { min: 1 } }),
], { blocks: [DYNAMIC], preset: true });

// ---- governance ------------------------------------------------------------------------------

const lever = (kind: string, doc: string, attrs: AttrSpec[], more: Partial<BlockSpec> = {}): BlockSpec =>
  block(kind, doc, [enabled(), ...attrs], { enabledByPresence: true, ...more });

export const LEVERS: readonly BlockSpec[] = [
  lever("transaction_tax", "Tax on the transfer τ of each interaction, split between the parties.", [
    prob("rate", 0, "Fraction of |τ| charged.", { advise: { max: 0.5, why: "the whitepaper studies tax rates in [0, 0.5]" }, reference: "transaction_tax_rate" }),
    prob("split", 0.5, "Initiator's share of the tax; the counterparty pays the rest.", { reference: "transaction_tax_split" }),
  ], { inert: { profiles: SWARM, why: "the reference's transfers are always 0, so the tax never charges anything" } }),
  lever("reputation_decay", "Reputations shrink toward zero at the start of each epoch.", [
    prob("rate", 1.0, "Fraction of reputation kept each epoch (1 = no decay).", { advise: { min: 0.8, why: "the whitepaper studies decay rates in [0.8, 1.0]" }, reference: "reputation_decay_rate" }),
  ]),
  lever("vote_normalization", "Diminishing influence of an agent's votes as it casts more.", [
    attr("max_weight", NUM, "M in the vote weight 1/(1 + n/M).", { default: 10.0, range: POSITIVE, reference: "max_vote_weight_per_agent" }),
  ], { inert: { profiles: SWARM, why: "the reference never applies vote weights" } }),
  lever("bandwidth", "Caps how many interactions an agent may take part in per epoch.", [
    attr("cap", INT, "Interactions per agent per epoch.", { default: 10, range: NON_NEG, reference: "bandwidth_cap" }),
  ], { inert: { profiles: SWARM, why: "the reference defines bandwidth_cap but never applies it" } }),
  lever("staking", "Agents must hold a stake to act; violations slash it.", [
    attr("min_stake", NUM, "Resources an agent needs to act.", { default: 0.0, range: NON_NEG, unit: "resources", reference: "min_stake_to_participate" }),
    prob("slash_rate", 0.1, "Fraction of resources slashed per violation.", { inert: { profiles: SWARM, why: "the reference never slashes" }, reference: "stake_slash_rate" }),
  ]),
  lever("circuit_breaker", "Freezes agents whose recent interactions are too toxic.", [
    prob("toxicity", 0.7, "Mean toxicity over the window that counts as a violation.", { advise: { min: 0.3, why: "the whitepaper studies freeze thresholds in [0.3, 1.0]" }, reference: "freeze_threshold_toxicity" }),
    attr("violations", INT, "Violations that trigger a freeze.", { default: 3, range: { min: 1 }, reference: "freeze_threshold_violations" }),
    attr("freeze", { t: "duration", unit: "epochs" }, "How long a frozen agent stays frozen.", { default: 2, range: { min: 1 }, unit: "epochs", reference: "freeze_duration_epochs" }),
    attr("window", INT, "Recent interactions whose toxicity is averaged.", { default: 10, range: { min: 1 }, unit: "interactions" }),
    attr("violation_decay", INT, "Violations forgiven per epoch without a new one (the reference never forgets).", { default: 0, range: NON_NEG, inert: { profiles: SWARM, why: "the reference's violations never decay" } }),
  ]),
  lever("audit", "Random audits charge a penalty on low-quality interactions.", [
    prob("probability", 0.1, "Chance that an interaction is audited.", { advise: { max: 0.5, why: "the whitepaper studies audit probabilities in [0, 0.5]" }, reference: "audit_probability" }),
    attr("penalty_multiplier", NUM, "Penalty = (threshold_p − p)·multiplier.", { default: 2.0, range: NON_NEG, reference: "audit_penalty_multiplier" }),
    prob("threshold_p", 0.5, "Audited interactions with p below this are penalised.", { reference: "audit_threshold_p" }),
  ]),
  lever("collusion", "Detects agent pairs whose interactions look coordinated, and penalises them.", [
    attr("frequency_threshold", NUM, "z-score of a pair's interaction count that reads as unusually frequent.", { default: 2.0, range: POSITIVE }),
    prob("correlation_threshold", 0.7, "Benefit correlation considered suspicious."),
    attr("min_interactions", INT, "Interactions a pair needs before it is analysed.", { default: 3, range: { min: 1 } }),
    prob("score_threshold", 0.5, "Collusion score at which a pair is flagged and its members penalised."),
    attr("penalty_multiplier", NUM, "Reputation penalty = risk·multiplier (resources lose 10× that).", { default: 1.0, range: NON_NEG }),
    attr("realtime_penalty", BOOL, "Also charge flagged pairs on every interaction.", { default: false }),
    attr("realtime_rate", NUM, "Real-time cost = rate·(risk_a + risk_b)/2.", { default: 0.1, range: NON_NEG }),
    attr("clear_history_on_epoch", BOOL, "Forget the interaction history after each analysis.", { default: false }),
  ]),
];

export const GOVERNANCE = block("governance", "Governance levers. A lever acts once its block is written; `enabled = false` switches it off.", [], {
  blocks: LEVERS,
  preset: true,
});

export const TASKS = block("tasks", "The task pool: tasks posted each epoch, claimed, worked, verified and paid.", [
  attr("per_epoch", INT, "Tasks posted at the start of each epoch.", { default: 0, range: NON_NEG }),
  attr("bounty", NUM, "Resources paid for a verified task.", { default: 5.0, range: NON_NEG, unit: "resources" }),
  attr("difficulty", enumOf(TASK_DIFFICULTIES), "Difficulty of posted tasks.", { default: "medium" }),
  attr("min_reputation", NUM, "Reputation needed to claim a task.", { default: 0.0 }),
  attr("deadline", { t: "duration", unit: "epochs" }, "Epochs a task stays open (0 = no deadline).", { default: 0, range: NON_NEG, unit: "epochs" }),
  attr("proposal_ttl", { t: "duration", unit: "steps" }, "Steps an unanswered proposal stays pending (0 = forever).", { default: 0, range: NON_NEG, unit: "steps" }),
], { inert: { profiles: SWARM, why: "the reference never creates tasks and proposals never expire" } });

const PRICE_MODEL = block("model", "Price of one model, in USD per million tokens.", [
  attr("input", NUM, "USD per million prompt tokens.", { default: 0, range: NON_NEG, unit: "USD/Mtok" }),
  attr("output", NUM, "USD per million completion tokens.", { default: 0, range: NON_NEG, unit: "USD/Mtok" }),
], { named: "required", repeatable: true });

export const PRICES = block("prices", "A price table for LLM calls. The standard table is `std/llm`'s `reference`; extend it to add or change models.", [], {
  blocks: [PRICE_MODEL],
  preset: true,
});

const CONCURRENCY = block("concurrency", "Most calls in flight at once, per provider.", [
  attr("anthropic", INT, "Concurrent Anthropic calls.", { default: 4, range: { min: 1 } }),
  attr("openai", INT, "Concurrent OpenAI calls.", { default: 4, range: { min: 1 } }),
  attr("ollama", INT, "Concurrent Ollama calls.", { default: 2, range: { min: 1 } }),
]);

export const LLM = block("llm", "Settings shared by the scenario's LLM agents.", [
  attr("budget", NUM, "Hard ceiling on model spend; no call is made that could exceed it.", { default: null, range: NON_NEG, unit: "USD" }),
], { blocks: [PRICES, CONCURRENCY], preset: true });

export const OUTPUTS = block("outputs", "Files the run writes (paths relative to the working directory).", [
  attr("event_log", STR, "Append-only JSONL event log.", { default: null }),
  attr("metrics_csv", STR, "Per-epoch metrics as CSV.", { default: null }),
]);

export const EXPECT = block("expect", "Success criteria: expressions over the metric registry that the outcome must satisfy. `sbx check` exits 3 when one fails.", [
  attr("seeds", { t: "ints" }, "Seeds to judge the criteria over, e.g. `101..112`; by default the scenario's own seed.", { default: [] }),
], { statements: "criteria", merge: "replace" });

export const SCENARIO = block("scenario", "One experiment: who takes part, how they interact, what governs them, and what the outcome must satisfy.", [
  attr("description", STR, "What the scenario studies.", { default: "" }),
  attr("motif", STR, "A short tag for the kind of study.", { default: "" }),
  attr("seed", INT, "Root seed: every random stream of the run derives from it.", { default: 42, range: NON_NEG }),
  attr("epochs", INT, "Epochs to run.", { default: 10, range: NON_NEG, reference: "simulation.n_epochs" }),
  attr("steps", INT, "Steps per epoch; every active agent gets at most one turn per step.", { default: 10, range: NON_NEG, reference: "simulation.steps_per_epoch" }),
  attr("schedule", enumOf(["round_robin", "random", "priority"]), "Turn order within a step: registration order, shuffled, or by reputation.", { default: "round_robin" }),
  attr("max_actions_per_step", INT, "Successful actions per step after which the remaining agents skip their turn.", { default: 20, range: NON_NEG }),
  attr("profile", enumOf(PROFILES), "Semantics to run with: `sbx` (every mechanism active) or `swarm-0.1` (the reference, reproduced bit for bit, dormant mechanisms included).", { default: "sbx" }),
  attr("mode", enumOf(["auto", "sync", "async"]), "sync: agents act one after another against live state; async: all observations are taken before any action (needed for LLM agents); auto picks async when LLM agents take part.", { default: "auto" }),
], {
  blocks: [POPULATION, PAYOFF, PROXY, RATE_LIMITS, FEED, NETWORK, GOVERNANCE, TASKS, LLM, OUTPUTS, EXPECT],
  named: "required",
});

// ---- top-level declarations ------------------------------------------------------------

const TRAITS = block("traits", "Big-Five personality traits in [−1, 1], rendered into the prompt.", [
  attr("openness", NUM, "Openness to experience.", { default: 0, range: { min: -1, max: 1 } }),
  attr("conscientiousness", NUM, "Conscientiousness.", { default: 0, range: { min: -1, max: 1 } }),
  attr("extraversion", NUM, "Extraversion.", { default: 0, range: { min: -1, max: 1 } }),
  attr("agreeableness", NUM, "Agreeableness.", { default: 0, range: { min: -1, max: 1 } }),
  attr("neuroticism", NUM, "Neuroticism.", { default: 0, range: { min: -1, max: 1 } }),
]);

export const PERSONA = block("persona", "A named persona for LLM agents: a prompt and optional Big-Five traits.", [
  attr("prompt", STR, "How the agent should see itself and its goals."),
  attr("description", STR, "A one-line summary shown in hover and reports.", { default: "" }),
], { blocks: [TRAITS], named: "required" });

const DIST = (name: string, doc: string, def: PlainValue, int = false): AttrSpec => attr(name, { t: "distribution", int }, doc, { default: def });

/** Defaults are the honest initiator's draws (swarm-0.1.md §7.7); std/prelude declares the other kinds'. */
export const OBSERVABLES = block("observables", "How the observables of an interaction are drawn from its initiator: `uniform(a, b)`, `randint(a, b)` or a constant. Unset entries draw as an honest initiator's.", [
  DIST("task_progress", "Task progress delta, nominally in [−1, 1].", { dist: "uniform", low: 0.3, high: 0.8 }),
  DIST("rework", "Rework cycles (whole numbers).", { dist: "randint", low: 0, high: 1 }, true),
  DIST("rejections", "Verifier rejections (whole numbers).", { dist: "constant", value: 0 }, true),
  DIST("misuse", "Tool-misuse flags (whole numbers).", { dist: "constant", value: 0 }, true),
  DIST("engagement", "Counterparty engagement delta, nominally in [−1, 1].", { dist: "uniform", low: 0.2, high: 0.6 }),
], { preset: true });

const ACTIONS = block("actions", "Probability of each action on a turn; they must sum to 100%.", [
  prob("post", 0, "Post to the feed."),
  prob("reply", 0, "Reply to a visible post."),
  prob("vote", 0, "Vote on a visible post."),
  prob("propose", 0, "Propose an interaction to a visible agent."),
  prob("claim_task", 0, "Claim an available task."),
  prob("noop", 0, "Do nothing."),
]);

export const POLICY = block("policy", "A stochastic policy: each turn the agent draws an action from its table (the compute economy's regimes are such tables).", [
  prob("accept", 0.5, "Chance of accepting a proposal."),
  attr("propose_type", enumOf(INTERACTION_TYPES.filter((t) => t !== "vote")), "Interaction type of its proposals.", { default: "collaboration" }),
  attr("target", enumOf(["random", "most_trusted", "highest_reputation", "lowest_reputation"]), "How it picks the counterparty among visible agents.", { default: "random" }),
  prob("upvote", 1.0, "Chance that a vote is an upvote."),
  attr("transfer", NUM, "Transfer τ offered with each proposal.", { default: 0, inert: { profiles: SWARM, why: "transfers are always 0 in the reference" } }),
], { blocks: [ACTIONS, OBSERVABLES], named: "required" });

export const ARM = block("arm", "A named condition of a sweep: settings applied over the base scenario, as `path = value`.", [], { named: "required", repeatable: true });

export const SWEEP = block("sweep", "A study over a scenario: `vary` settings over a design, times seeds.", [
  attr("design", enumOf(["grid", "random", "latin_hypercube"]), "How cells are chosen: every combination, uniform random samples, or a Latin hypercube.", { default: "grid" }),
  attr("samples", INT, "Cells drawn by a random or Latin-hypercube design.", { default: 10, range: { min: 1 } }),
  attr("seeds", { t: "ints" }, "Seeds every cell runs with (common random numbers across cells).", { default: [] }),
  attr("replicates", INT, "When no seeds are listed: seeds derived from the root seed per replicate.", { default: 1, range: { min: 1 } }),
  attr("root_seed", INT, "Root of derived seeds (default: the scenario's seed).", { default: null }),
], { blocks: [ARM], named: "required", statements: "vary" });

/** Kinds that may be declared at top level. */
export const DECLARATIONS: readonly BlockSpec[] = [SCENARIO, SWEEP, PERSONA, POLICY, OBSERVABLES, GOVERNANCE, NETWORK, PAYOFF, PROXY, RATE_LIMITS, PRICES, LLM];
