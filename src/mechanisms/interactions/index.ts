/**
 * Interactions: the sandbox's core transaction. An agent proposes an
 * interaction; its counterparty accepts or rejects it (on its turn, or at
 * the end of the step); the completed interaction draws observables from its
 * initiator, the proxy turns them into soft labels (v̂, p), every lever
 * governs it, and the payoffs are credited — the reference's
 * `_complete_interaction`, step for step, plus (where the profile switches
 * them on) transfers, both-party reputation and payoffs flowing into
 * resources.
 */
import { OBSERVABLES, PAYOFF, PAYOFF_SLICE, PROXY, PROXY_SLICE, type ObservableProfile } from "./language.ts";
import type { Question } from "../../kernel/mechanism.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { DOUBLE_FIELD } from "../../kernel/effect.ts";
import type { EventOf } from "../../kernel/events.ts";
import type { Outcome, TurnView } from "../../kernel/policy.ts";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";
import type { InteractionRecord, Observables } from "../../kernel/records.ts";
import type { Rng } from "../../kernel/rng/types.ts";
import type { World } from "../../kernel/world.ts";
import { EpochInteractions, type InteractionColumns } from "./epoch-columns.ts";
import { INTERACTION_METRICS } from "./metrics.ts";
import { asAnswered, declaredProfile, drawObservables } from "./observables.ts";
import { payoffCounterparty, payoffInitiator, ProxyComputer, REFERENCE_PROXY } from "./soft-labels.ts";
import { OpenProposals } from "./open-proposals.ts";
import { verifyInteraction } from "./verify.ts";

declare module "../../kernel/actions.ts" {
  interface ActionMap {
    propose: { readonly kind: "propose"; readonly counterparty: string; readonly type: import("../../spec/plan.ts").InteractionType; readonly content: string; readonly transfer: number };
    accept: { readonly kind: "accept"; readonly proposalId: number };
    reject: { readonly kind: "reject"; readonly proposalId: number };
  }
}

declare module "../../kernel/mechanism.ts" {
  interface Instance {
    /**
     * An accepted proposal, before it completes: a mechanism may let the
     * counterparty see what the interaction will be. `preview()` draws the
     * interaction's observables (once — completion then uses them) and
     * returns its p. Returning false turns the acceptance into a refusal.
     */
    screen?(proposal: Proposal, preview: () => number): boolean;
    /**
     * How the initiator behaves in this interaction: the observable type it is
     * drawn as (learning agents play a strategy, adaptive adversaries attack or
     * cover). The first mechanism with an answer decides; by default the
     * initiator's reported type.
     */
    conduct?(initiator: AgentSlot, proposal: Proposal): string | undefined;
    /** Changes the observables the proxy is about to read, in place (perturbations corrupt signals). */
    corruptObservables?(initiator: AgentSlot | undefined, observables: Observables): void;
  }
}

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** The oldest proposal addressed to this agent, if any. */
    firstPending(): Proposal | undefined;
    /** Every proposal addressed to this agent, oldest first. */
    pendingProposals(): readonly Proposal[];
    /** Proposals waiting for an answer, population-wide. */
    pendingTotal(): number;
  }
}

export type Interactions = ReturnType<typeof createInteractions>;

/**
 * A proposal as this mechanism makes it: with its parties' registration
 * numbers (−1: not an agent of the run), so answering and completing it find
 * them by number instead of by id, and its links in its counterparty's inbox.
 */
interface Offer extends Proposal {
  readonly initiatorIdx: number;
  readonly counterpartyIdx: number;
  /** Its place among the open proposals (−1: answered, withdrawn, or never open). */
  place: number;
  /** The inbox's previous and next proposal (null at either end, and outside an inbox). */
  older: Offer | null;
  newer: Offer | null;
}

/**
 * A proposal's party's registration number (−1: not an agent of the run): read
 * off the proposal where this mechanism made it, without the party's slot (at
 * 100,000 agents, a cache miss a question), else found by id.
 */
export function partyIdx(pop: World["population"], p: Proposal, which: "initiator" | "counterparty"): number {
  const idx = which === "initiator" ? (p as Offer).initiatorIdx : (p as Offer).counterpartyIdx;
  return idx === undefined ? (pop.slot(p[which])?.idx ?? -1) : idx;
}

/** A proposal's party (see `partyIdx`). */
export function partyOf(pop: World["population"], p: Proposal, which: "initiator" | "counterparty"): AgentSlot | undefined {
  const idx = partyIdx(pop, p, which);
  return idx < 0 ? undefined : pop.slots[idx];
}

/** What answering a question does in its run. */
interface AnsweringRun {
  readonly pop: World["population"];
  withdraw(p: Proposal): void;
  complete(p: Proposal, accepted: boolean): void;
}

/**
 * A pending proposal as a question to its counterparty (a class: no closures
 * per proposal and step). Declared once, not per run: a class per run gave each
 * run's questions new hidden classes, and the scheduler's optimised code was
 * thrown away and compiled again at every run's start.
 */
class PendingQuestion implements Question {
  constructor(
    readonly proposal: Proposal,
    private readonly run: AnsweringRun,
  ) {}

  decider(): AgentSlot | null {
    const cp = partyOf(this.run.pop, this.proposal, "counterparty");
    return cp && !cp.frozen ? cp : null;
  }

  answer(accepted: boolean): void {
    this.run.withdraw(this.proposal);
    this.run.complete(this.proposal, accepted);
  }
}

function createInteractions(w: World) {
  const sem = w.semantics;
  const pop = w.population;
  const plan = w.plan;
  const payoff = w.slice(PAYOFF_SLICE);
  const proxy = new ProxyComputer(sem.proxySettings ? w.slice(PROXY_SLICE) : REFERENCE_PROXY);
  const declared: (ObservableProfile | null)[] = plan.agents.map((a) => declaredProfile(a.params));
  // Null where no agent declares observables: at 100,000 agents, reading the initiator's entry was a cache miss per interaction.
  const profiles = declared.some((d) => d !== null) ? declared : null;
  const profileOf = (agent: AgentSlot | undefined): ObservableProfile | null => (agent && profiles ? profiles[agent.idx] : null);
  const observablesRng = w.random.stream("observables");
  // Decision state: who owes an answer to what.
  const pending = new OpenProposals<Offer>();
  // Each agent's inbox, oldest first, as a list linked through its proposals: answers leave from the
  // front, and a popular agent's inbox at 100,000 agents held hundreds of proposals, which an array
  // shifted down at every answer (and a million agents' empty arrays were ~130 MB). Its two ends sit
  // side by side, at 2·i (oldest) and 2·i + 1 (newest): a proposal to a random agent reads one line.
  const inboxes: (Offer | null)[] = [];
  for (let i = 0; i < 2 * pop.slots.length; i++) inboxes.push(null);
  let proposalSeq = 0;
  // Reduced state: this epoch's completed interactions, as the columns the metrics read.
  const epoch = new EpochInteractions();
  // The interaction complete() is logging, and its parties (its reducer reads them instead of looking them up).
  let completing: InteractionRecord | null = null;
  let completingInitiator: AgentSlot | undefined;
  let completingCounterparty: AgentSlot | undefined;

  /** The proposal joins its counterparty's inbox, last. */
  function enqueue(o: Offer): void {
    const to = 2 * o.counterpartyIdx;
    const last = inboxes[to + 1];
    if (last === null) inboxes[to] = o;
    else {
      last.newer = o;
      o.older = last;
    }
    inboxes[to + 1] = o;
  }

  /** The proposal leaves the table (answered or withdrawn). */
  function withdraw(p: Proposal): void {
    pending.delete(p as Offer);
    // Only this mechanism's offers to agents of the run are in an inbox; an offer is in one while it
    // is its inbox's oldest or has an older one.
    const o = p as Offer;
    const to = 2 * o.counterpartyIdx;
    if (!(to >= 0) || (o.older === null && inboxes[to] !== o)) return;
    const { older, newer } = o;
    if (older === null) inboxes[to] = newer;
    else older.newer = newer;
    if (newer === null) inboxes[to + 1] = older;
    else newer.older = older;
    o.older = o.newer = null;
  }

  /** The hooks `complete` calls, resolved at the run's first completion (the world wires them after every mechanism is created). */
  let hooks: {
    readonly conduct: ReturnType<typeof w.hooks<"conduct">>;
    readonly corrupt: ReturnType<typeof w.hooks<"corruptObservables">>;
    readonly screen: ReturnType<typeof w.hooks<"screen">>;
    readonly refuses: ReturnType<typeof w.hooks<"refuses">>;
    readonly govern: ReturnType<typeof w.hooks<"governInteraction">>;
    readonly after: ReturnType<typeof w.hooks<"afterInteraction">>;
  } | null = null;
  const resolveHooks = () =>
    (hooks = {
      conduct: w.hooks("conduct"),
      corrupt: w.hooks("corruptObservables"),
      screen: w.hooks("screen"),
      refuses: w.hooks("refuses"),
      govern: w.hooks("governInteraction"),
      after: w.hooks("afterInteraction"),
    });

  /** The observables as drawn (as the initiator conducts itself), then as corrupted signals would show them. */
  function observe(initiator: AgentSlot | undefined, profile: ObservableProfile | null, acc: boolean, conduct: string | undefined): Observables {
    const o = drawObservables(initiator, profile, acc, observablesRng, conduct);
    const corrupts = (hooks ?? resolveHooks()).corrupt;
    for (let i = 0; i < corrupts.length; i++) corrupts[i](initiator, o);
    return o;
  }

  const answering: AnsweringRun = { pop, withdraw, complete };

  /**
   * `_complete_interaction`, step for step. `given` observables (an
   * interaction another mechanism records, not a proposal answered) replace
   * the drawn ones, and no counterparty screens it.
   */
  function complete(p: Proposal, answer: boolean, given?: Observables): void {
    const initiator = partyOf(pop, p, "initiator");
    const counterparty = partyOf(pop, p, "counterparty");
    const profile = profileOf(initiator);
    const h = hooks ?? resolveHooks();
    let conduct: string | undefined;
    // Indexed loops, not for-of: the iterator protocol would be inlined into this hot function's optimised code three times over.
    const asks = h.conduct;
    if (initiator) for (let i = 0; i < asks.length; i++) if ((conduct = asks[i](initiator, p)) !== undefined) break;
    let previewed: Observables | null = null;
    let decision = answer;
    const screens = h.screen;
    // The preview closure only where some mechanism screens (one interaction after another, no allocation otherwise).
    if (decision && !given && screens.length > 0) {
      const preview = (): number => proxy.labels((previewed ??= observe(initiator, profile, true, conduct)))[1];
      for (let i = 0; i < screens.length; i++) if (!screens[i](p, preview)) decision = false;
    }
    let capped = false;
    const refusals = h.refuses;
    if (decision) for (let i = 0; i < refusals.length; i++) if (refusals[i](initiator, counterparty)) capped = true;
    const accepted = decision && !capped;
    const observables = given ?? (previewed ? asAnswered(previewed, accepted) : observe(initiator, profile, accepted, conduct));
    // proxy.labels without its pair: the same v̂, then p = σ(v̂).
    const vHat = proxy.vHat(observables);
    const prob = proxy.p(vHat);
    // The levers' costs are laid out as doubles (DOUBLE_FIELD), then zeroed: laid out by a first 0, the
    // records changed layout at a thread's first tax, audit or collusion charge (a sweep's later cells),
    // and complete, the levers and the reducers were deoptimised and compiled again in every thread.
    // (Not every number field: those hold fractions from the first interactions or never, and each
    // double field is a box to allocate per record, +2% of a cold run's instructions for all of them.)
    const x: InteractionRecord = {
      id: p.id,
      epoch: w.epoch,
      step: w.step,
      initiator: p.initiator,
      counterparty: p.counterparty,
      type: p.type,
      accepted,
      observables,
      vHat,
      p: prob,
      tau: p.transfer,
      cA: DOUBLE_FIELD,
      cB: DOUBLE_FIELD,
      rA: 0.0,
      rB: 0.0,
      payoffA: 0,
      payoffB: 0,
      groundTruth: null,
      tax: DOUBLE_FIELD,
      audited: false,
      auditPenalty: DOUBLE_FIELD,
      collusionCost: DOUBLE_FIELD,
      froze: false,
    };
    x.cA = x.cB = x.tax = x.auditPenalty = x.collusionCost = 0.0;
    const effect = w.effect.clear();
    const governs = h.govern;
    for (let i = 0; i < governs.length; i++) governs[i](x, effect);
    x.cA += effect.costA;
    x.cB += effect.costB;
    w.apply(effect);
    // Accepted interactions move the initiator's reputation by p − 0.5; in sbx the
    // counterparty's moves alike (accepting vouches for the interaction), and
    // these changes are the payoff's reputation terms r_a, r_b.
    const repA = accepted && initiator ? prob - 0.5 : 0;
    const repB = accepted && counterparty && sem.bothPartyReputation ? prob - 0.5 : 0;
    if (sem.reputationPayoff) {
      x.rA = repA;
      x.rB = repB;
    }
    x.payoffA = payoffInitiator(payoff, x);
    x.payoffB = payoffCounterparty(payoff, x);
    const outcome: Outcome = { initiator: p.initiator, counterparty: p.counterparty, accepted, p: prob, initiatorIdx: initiator ? initiator.idx : -1, counterpartyIdx: counterparty ? counterparty.idx : -1 };
    if (initiator) w.policies[initiator.idx]?.onOutcome(outcome);
    if (counterparty) w.policies[counterparty.idx]?.onOutcome(outcome);
    // π already nets the transfer and the governance costs; the costs go to the public pool.
    const flows = accepted && sem.payoffToResources;
    const e: EventOf<"interaction_completed"> = { type: "interaction_completed", epoch: w.epoch, step: w.step, interaction: x, credited: accepted, reputationDeltaA: repA, reputationDeltaB: repB };
    if (sem.payoffToResources) {
      e.resourceDeltaA = flows && initiator ? x.payoffA : 0;
      e.resourceDeltaB = flows && counterparty ? x.payoffB : 0;
      e.pool = flows ? x.cA + x.cB : 0;
    }
    if (capped) e.capped = true;
    completing = x;
    completingInitiator = initiator;
    completingCounterparty = counterparty;
    w.emit(e);
    completing = null;
    const afters = h.after;
    for (let i = 0; i < afters.length; i++) afters[i](e);
    w.flushReports();
    w.onInteraction?.(x);
  }

  /** An agent answers a proposal on its turn (only its counterparty may, where proposals are validated). */
  function answer(actor: AgentSlot, proposalId: number, accepted: boolean): boolean {
    const p = pending.get(proposalId);
    if (!p) return false;
    if (sem.proposalValidation && p.counterparty !== actor.id) return false;
    withdraw(p);
    complete(p, accepted);
    return true;
  }

  /** A new proposal, logged. */
  function propose(initiator: string, counterparty: string, type: Proposal["type"], content: string, transfer: number, initiatorSlot = pop.slot(initiator), counterpartySlot = pop.slot(counterparty)): Offer {
    const initiatorIdx = initiatorSlot?.idx ?? -1;
    const counterpartyIdx = counterpartySlot?.idx ?? -1;
    const proposal: Offer = { id: ++proposalSeq, initiator, counterparty, type, content, transfer: sem.transfers ? transfer : 0, epoch: w.epoch, step: w.step, initiatorIdx, counterpartyIdx, place: -1, older: null, newer: null };
    w.emit({ type: "interaction_proposed", epoch: w.epoch, step: w.step, id: proposal.id, initiator, counterparty, interactionType: type, transfer: proposal.transfer });
    return proposal;
  }

  return {
    /** Removes a proposal nobody answered (proposal expiry). */
    withdraw,
    /**
     * Records something that happened elsewhere (a theft in the town) as an
     * accepted interaction with the observables it showed, so every lever
     * governs it like any other: proposed and completed at once.
     */
    record(initiator: string, counterparty: string, type: Proposal["type"], observables: Observables): void {
      complete(propose(initiator, counterparty, type, "", 0), true, observables);
    },
    /** Proposals waiting for an answer, oldest first (a new array). */
    pending(): Proposal[] {
      return pending.values();
    },
    /** The completed interactions of the current epoch, as columns (and the levers' running sums). */
    epoch,
    /** The current epoch's interactions whose initiator is in `select`. */
    initiatedBy(select: ReadonlySet<string>): InteractionColumns {
      return epoch.initiatedBy(select, pop.slots.length, (id) => pop.slot(id)?.idx);
    },
    proxy,
    payoff,
    /** Observables drawn for an agent as for an interaction it initiates (task verification judges work this way). */
    observe: (agent: AgentSlot | undefined, accepted: boolean, rng: Rng) => drawObservables(agent, profileOf(agent), accepted, rng),

    turn: {
      firstPending(this: TurnView): Proposal | undefined {
        return inboxes[2 * this.self.idx] ?? undefined;
      },
      pendingProposals(this: TurnView): readonly Proposal[] {
        const all: Proposal[] = [];
        for (let o = inboxes[2 * this.self.idx]; o !== null; o = o.newer) all.push(o);
        return all;
      },
      pendingTotal(): number {
        return pending.size;
      },
    },

    actions: {
      propose(actor: AgentSlot, action: { counterparty: string; type: Proposal["type"]; content: string; transfer: number }): boolean {
        const counterparty = pop.slot(action.counterparty);
        if (sem.proposalValidation && (!counterparty || counterparty === actor || counterparty.frozen || !w.mayAct(counterparty))) return false;
        const proposal = propose(actor.id, action.counterparty, action.type, action.content, action.transfer, actor, counterparty);
        pending.add(proposal);
        if (counterparty) enqueue(proposal);
        return true;
      },
      accept: (actor: AgentSlot, action: { proposalId: number }) => answer(actor, action.proposalId, true),
      reject: (actor: AgentSlot, action: { proposalId: number }) => answer(actor, action.proposalId, false),
    },

    /** Every pending proposal, to be answered by its counterparty unless frozen (or gone). */
    questions(): Question[] {
      return pending.values().map((p) => new PendingQuestion(p, answering));
    },

    reduce: {
      epoch_started: () => {
        epoch.clear();
      },
      interaction_completed: (e: EventOf<"interaction_completed">) => {
        const x = e.interaction;
        // The parties complete() found, when it is this mechanism's completion being logged (not a replay).
        const live = x === completing;
        const initiator = live ? completingInitiator : pop.slot(x.initiator);
        const counterparty = live ? completingCounterparty : pop.slot(x.counterparty);
        epoch.push(x, initiator ? initiator.idx : -1);
        if (e.credited) {
          if (initiator) {
            initiator.recordInitiated(x.p);
            initiator.totalPayoff += x.payoffA;
            pop.addReputation(initiator, e.reputationDeltaA);
            if (e.resourceDeltaA !== undefined) pop.addResources(initiator, e.resourceDeltaA);
          }
          if (counterparty) {
            counterparty.recordReceived(x.p);
            counterparty.totalPayoff += x.payoffB;
            if (e.reputationDeltaB !== 0) pop.addReputation(counterparty, e.reputationDeltaB);
            if (e.resourceDeltaB !== undefined) pop.addResources(counterparty, e.resourceDeltaB);
          }
        } else if (sem.rejectedBookkeeping) {
          initiator?.recordInitiated(x.p, false);
          counterparty?.recordReceived(x.p);
        }
      },
    },

    verify(e: { type: string }): string | null {
      return e.type === "interaction_completed" ? verifyInteraction(payoff, proxy, sem, e as EventOf<"interaction_completed">) : null;
    },
  };
}

export const interactions = mechanism({
  name: "interactions",
  doc: "Proposals, their answers, and the completion of every interaction: observables, soft labels, governance, payoffs.",
  plan: [PAYOFF_SLICE, PROXY_SLICE],
  language: [
    { under: "scenario", block: PAYOFF },
    { under: "scenario", block: PROXY },
    { under: "declarations", block: OBSERVABLES },
  ],
  create: createInteractions,
  metrics: INTERACTION_METRICS,
});
