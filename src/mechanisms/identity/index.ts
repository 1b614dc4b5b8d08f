/**
 * Identity and Sybil resistance (the reference's swarm/models/identity.py
 * and swarm/governance/identity_lever.py).
 *
 * Every agent is an identity of an entity: a Sybil entity (population kind
 * `sybil`) controls several, every other agent is an entity of its own. The
 * `identity` registry charges each identity its creation cost at the start,
 * verifies one identity per entity when proof of personhood is required
 * (the others may not act), and issues credentials for good conduct that
 * expire; trust = 0.3 + 0.2·PoP + min(0.5, 0.1·credentials). The
 * `sybil_detection` lever clusters identities that behave alike at each
 * epoch's start, penalises the members and blocks clusters larger than the
 * cap. sbx knows the ground truth, so detection is scored against it, and
 * so is what Sybils gain.
 */
import { IDENTITY, IDENTITY_SLICE, SYBIL, SYBIL_DETECTION, SYBIL_DETECTION_SLICE, SybilParams, type Identity, type SybilDetection } from "./language.ts";
import { detectClusters, type Pattern } from "./detect.ts";
import { SybilPolicy } from "./policy.ts";
import type { Effect } from "../../kernel/effect.ts";
import type { At, EventOf, SimEvent } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series, type MetricSpec } from "../../kernel/metric.ts";
import type { TurnView } from "../../kernel/policy.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { InteractionRecord } from "../../kernel/records.ts";
import type { World } from "../../kernel/world.ts";
import type { ScenarioFacts } from "../../spec/types.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** The registry created the agent's identity for its entity, verified or not, at a cost. */
    identity_registered: At & { agent: string; entity: string; personhood: boolean; cost: number };
    /** The identity earned a credential, valid until the start of epoch `expires`. */
    credential_issued: At & { agent: string; expires: number };
    /** Sybil detection's clusters at this epoch's start (registration order), and what each member was charged. */
    sybil_clusters: At & { clusters: string[][]; reputation: number; resources: number };
  }
}

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** The other identities of this agent's entity, in registration order (none for a single identity). */
    siblings(): readonly AgentSlot[];
  }
}

/** An agent's entity: `group#k` for the k-th Sybil entity of a group, else the agent itself. */
export function entityOf(a: { id: string; kind: string; group: string; params: unknown }): string {
  return a.kind === "sybil" ? `${a.group}#${(a.params as SybilParams).entity}` : a.id;
}

/** The siblings of every identity that is its entity's only one: one list, not one per agent. */
const NO_SIBLINGS: readonly AgentSlot[] = Object.freeze([]);

/** Every entity's identities, in registration order (of each entity's first identity, then of its identities). */
function entityMembers(slots: readonly AgentSlot[], entity: (s: AgentSlot) => string): Map<string, AgentSlot[]> {
  const members = new Map<string, AgentSlot[]>();
  for (const s of slots) {
    // A new list holds exactly its first member: pushed onto [], it would take room for 17 (a million agents' lists, 130 MB).
    const e = entity(s);
    const list = members.get(e);
    if (list) list.push(s);
    else members.set(e, [s]);
  }
  return members;
}

function createIdentity(w: World) {
  const cfg: Identity | undefined = w.slice(IDENTITY_SLICE);
  const detection: SybilDetection | undefined = w.slice(SYBIL_DETECTION_SLICE);
  const pop = w.population;
  const n = pop.size;
  const agents = w.plan.agents;
  const entity = (s: AgentSlot): string => entityOf(agents[s.idx]!);
  // Only a Sybil entity can have several identities: every other agent is an entity of its own, so the
  // set-up looks at Sybil identities alone (a map of every entity was seconds and 100 MB at a million
  // agents). An agent whose id is also a Sybil entity's name would share that entity: then every agent is listed.
  const sybilMembers = entityMembers(
    pop.slots.filter((s) => s.kind === "sybil"),
    entity,
  );
  const shared = [...sybilMembers.keys()].some((e) => {
    const s = pop.byId.get(e);
    return s !== undefined && s.kind !== "sybil";
  });
  /** Every entity's identities (the entity metrics'): built on first use. */
  let allMembers: Map<string, AgentSlot[]> | null = shared ? entityMembers(pop.slots, entity) : null;
  const several = shared ? allMembers! : sybilMembers;
  /** Ground truth: identities whose entity controls more than one (1), by registration number. */
  const sybil = new Uint8Array(n);
  /** The other identities of an identity's entity, for those that have any. */
  const siblings = new Map<number, readonly AgentSlot[]>();
  for (const list of several.values()) {
    if (list.length === 1) continue;
    for (const s of list) {
      sybil[s.idx] = 1;
      siblings.set(s.idx, list.filter((o) => o !== s));
    }
  }
  const hasSybils = siblings.size > 0;

  // Reduced state.
  const cost = new Float64Array(n);
  const fines = new Float64Array(n);
  const personhood = new Uint8Array(n);
  /** Each identity's credentials: the epochs they expire at (no list until its first). */
  const credentials: (number[] | undefined)[] = new Array(n);
  const epochP = new Float64Array(n);
  const epochN = new Int32Array(n);
  /** Counterparty counts per identity over accepted interactions (detection's history). */
  const patterns = new Map<string, Map<string, number>>();
  let clusters: string[][] = [];
  const flagged = new Uint8Array(n);
  const blocked = new Uint8Array(n);

  const activeCredentials = (s: AgentSlot): number => (credentials[s.idx]?.filter((e) => e > w.epoch).length ?? 0);
  const trust = (s: AgentSlot): number => 0.3 + 0.2 * personhood[s.idx] + Math.min(0.5, 0.1 * activeCredentials(s));
  /** Whether the registry and detection let the identity act: verified where personhood is required, not in a blocked cluster. */
  const mayAct = (s: AgentSlot): boolean => !blocked[s.idx] && (!cfg?.proofOfPersonhood || personhood[s.idx] === 1);

  function count(a: string, b: string): void {
    let m = patterns.get(a);
    if (!m) patterns.set(a, (m = new Map()));
    m.set(b, (m.get(b) ?? 0) + 1);
  }

  function detect(): string[][] {
    return detection ? detectClusters(pop.slots.map((s) => s.id), patterns, detection.threshold) : [];
  }

  return {
    cfg,
    detection,
    get members(): ReadonlyMap<string, readonly AgentSlot[]> {
      return (allMembers ??= entityMembers(pop.slots, entity));
    },
    sybil,
    hasSybils,
    cost,
    fines,
    flagged,
    blocked,
    get clusters(): readonly string[][] {
      return clusters;
    },
    trustOf: trust,

    turn: {
      siblings(this: TurnView): readonly AgentSlot[] {
        return siblings.get(this.self.idx) ?? NO_SIBLINGS;
      },
    },

    ...(cfg ? { trust } : {}),
    ...(cfg?.proofOfPersonhood || detection
      ? {
          mayAct,
          admit: mayAct,
        }
      : {}),

    ...(cfg && !w.replaying
      ? {
          /** Creates every identity: verified (one per entity) where personhood is required, each charged its cost. */
          start(): void {
            const at = w.at();
            const seen = new Set<string>();
            const effect = w.effect.clear();
            for (const s of pop.slots) {
              const e = entity(s);
              const verified = cfg.proofOfPersonhood && !seen.has(e);
              seen.add(e);
              w.emit({ type: "identity_registered", ...at, agent: s.id, entity: e, personhood: verified, cost: cfg.creationCost });
              if (cfg.creationCost > 0) effect.addResources(s.id, -cfg.creationCost);
            }
            w.apply(effect);
          },
          /** Credentials for the epoch's good conduct: accepted interactions averaging p ≥ 0.5. */
          epochEnd(): void {
            const at = w.at();
            for (const s of pop.slots) {
              if (epochN[s.idx] > 0 && epochP[s.idx] / epochN[s.idx] >= 0.5) {
                w.emit({ type: "credential_issued", ...at, agent: s.id, expires: w.epoch + 1 + cfg.credentialExpiry });
              }
            }
          },
        }
      : {}),

    ...(detection && !w.replaying
      ? {
          /** Detection at the epoch's start, over every accepted interaction so far. */
          governEpoch(effect: Effect): void {
            const found = detect();
            const reputation = 0.1 * detection.penaltyMultiplier;
            const resources = 1.0 * detection.penaltyMultiplier;
            w.emit({ type: "sybil_clusters", ...w.at(), clusters: found, reputation, resources });
            for (const cluster of found) {
              for (const id of cluster) {
                if (reputation) effect.addReputation(id, -reputation);
                if (resources) effect.addResources(id, -resources);
              }
            }
          },
        }
      : {}),

    ...(detection?.realtimePenalty
      ? {
          governInteraction(x: InteractionRecord, effect: Effect): void {
            if (!x.accepted) return;
            const a = pop.byId.get(x.initiator);
            const b = pop.byId.get(x.counterparty);
            if (a && b && flagged[a.idx] && flagged[b.idx]) {
              effect.costA += detection.realtimeRate;
              effect.costB += detection.realtimeRate;
            }
          },
        }
      : {}),

    ...(cfg || detection
      ? {
          reduce: {
            identity_registered: (e: EventOf<"identity_registered">) => {
              const s = pop.byId.get(e.agent);
              if (!s) return;
              cost[s.idx] += e.cost;
              if (e.personhood) personhood[s.idx] = 1;
            },
            credential_issued: (e: EventOf<"credential_issued">) => {
              const s = pop.byId.get(e.agent);
              if (s) (credentials[s.idx] ??= []).push(e.expires);
            },
            epoch_started: () => {
              epochP.fill(0);
              epochN.fill(0);
            },
            interaction_completed: (e: EventOf<"interaction_completed">) => {
              const x = e.interaction;
              if (!x.accepted) return;
              for (const id of [x.initiator, x.counterparty]) {
                const s = pop.byId.get(id);
                if (!s) continue;
                epochP[s.idx] += x.p;
                epochN[s.idx]++;
              }
              if (detection) {
                count(x.initiator, x.counterparty);
                count(x.counterparty, x.initiator);
              }
            },
            sybil_clusters: (e: EventOf<"sybil_clusters">) => {
              clusters = e.clusters;
              flagged.fill(0);
              blocked.fill(0);
              for (const cluster of e.clusters) {
                const over = detection !== undefined && cluster.length > detection.maxClusterSize;
                for (const id of cluster) {
                  const s = pop.byId.get(id);
                  if (!s) continue;
                  flagged[s.idx] = 1;
                  fines[s.idx] += e.resources;
                  if (over) blocked[s.idx] = 1;
                }
              }
            },
          },
        }
      : {}),

    ...(detection
      ? {
          /** Replay: the clusters follow from the interactions logged before them. */
          verify(e: SimEvent): string | null {
            if (e.type !== "sybil_clusters") return null;
            const again = JSON.stringify(detect());
            return again === JSON.stringify(e.clusters) ? null : `epoch ${e.epoch}: Sybil clusters replay as ${again}, the log records ${JSON.stringify(e.clusters)}`;
          },
        }
      : {}),
  };
}

type IdentityState = ReturnType<typeof createIdentity>;

/** An entity's net payoff: its identities' payoffs less their creation costs and detection fines (`withCosts` false: fines only). */
function net(m: IdentityState, entity: string, withCosts = true): number {
  let sum = 0;
  for (const s of m.members.get(entity)!) sum += s.totalPayoff - m.fines[s.idx] - (withCosts ? m.cost[s.idx] : 0);
  return sum;
}

/** The entities with an identity in the selection (all: every entity), in registration order. */
function selectedEntities(m: IdentityState, select: ReadonlySet<string> | null): string[] {
  const out = new Set<string>();
  for (const [entity, list] of m.members) if (!select || list.some((s) => select.has(s.id))) out.add(entity);
  return [...out];
}

function identitiesOver(m: IdentityState, w: World, select: ReadonlySet<string> | null, f: (s: AgentSlot) => number): number {
  let sum = 0;
  for (const s of w.population.slots) if (!select || select.has(s.id)) sum += f(s);
  return sum;
}

const A = "agent" as const;
const N = "none" as const;

const METRICS: readonly MetricSpec<IdentityState>[] = [
  series("identity", A, "stock", "identity.trust", "probability", "Mean trust of the selected identities (the `identity` block).", "0.3 + 0.2·PoP + min(0.5, 0.1·credentials)", (m, sel, w) => {
    if (!m.cfg) return null;
    const k = identitiesOver(m, w, sel, () => 1);
    return k ? identitiesOver(m, w, sel, m.trustOf) / k : null;
  }, true),
  series("identity", A, "stock", "sybil.flagged", "count", "Selected identities in a cluster Sybil detection found at this epoch's start.", "|{identities : in a cluster}|", (m, sel, w) => (m.detection ? identitiesOver(m, w, sel, (s) => m.flagged[s.idx]) : null), true),
  series("identity", A, "stock", "sybil.blocked", "count", "Selected identities in a cluster larger than the cap: they may not act.", "|{identities : cluster > max_cluster_size}|", (m, sel, w) => (m.detection ? identitiesOver(m, w, sel, (s) => m.blocked[s.idx]) : null), true),
  series("identity", N, "stock", "sybil.clusters", "count", "Clusters Sybil detection found at this epoch's start.", "|clusters|", (m) => (m.detection ? m.clusters.length : null), true),
  series("identity", N, "stock", "sybil.detection_precision", "ratio", "Share of flagged identities that belong to a Sybil entity (undefined when none is flagged).", "|flagged ∩ sybil| / |flagged|", (m) => {
    if (!m.detection) return null;
    let flagged = 0;
    let hit = 0;
    m.flagged.forEach((f, i) => {
      flagged += f;
      if (f && m.sybil[i]) hit++;
    });
    return flagged ? hit / flagged : null;
  }, true),
  series("identity", N, "stock", "sybil.detection_recall", "ratio", "Share of Sybil identities flagged (undefined without Sybils).", "|flagged ∩ sybil| / |sybil|", (m) => {
    if (!m.detection || !m.hasSybils) return null;
    let truth = 0;
    let hit = 0;
    m.sybil.forEach((t, i) => {
      if (!t) return;
      truth++;
      if (m.flagged[i]) hit++;
    });
    return hit / truth;
  }, true),
  series("identity", N, "stock", "sybil.payoff_share", "ratio", "Sybil entities' share of all entities' net payoff (payoffs less creation costs and detection fines; undefined without Sybils or when the total is not positive).", "Σ_sybil net / Σ_entities net", (m) => {
    if (!m.hasSybils) return null;
    let all = 0;
    let theirs = 0;
    for (const [entity, list] of m.members) {
      const v = net(m, entity);
      all += v;
      if (list.length > 1) theirs += v;
    }
    return all > 0 ? theirs / all : null;
  }, true),
  series("identity", A, "stock", "sybil.entity_payoff", "payoff", "Mean net payoff per entity with an identity in the selection: its identities' payoffs less creation costs and detection fines.", "mean_entities Σ_identities (π − cost − fines)", (m, sel) => {
    if (!m.cfg && !m.detection && !m.hasSybils) return null;
    const list = selectedEntities(m, sel);
    return list.length ? list.reduce((s, e) => s + net(m, e), 0) / list.length : null;
  }, true),
  series("identity", N, "stock", "sybil.break_even_cost", "resources", "The creation cost at which Sybil entities would earn no more than single-identity entities: (mean Sybil entity net − mean single entity net)/(mean identities per Sybil entity − 1), nets before creation costs. Sybils pay below it.", "(N̄_sybil − N̄_single)/(k̄ − 1)", (m) => {
    if (!m.hasSybils) return null;
    let sybilSum = 0;
    let sybilN = 0;
    let identities = 0;
    let singleSum = 0;
    let singleN = 0;
    for (const [entity, list] of m.members) {
      const v = net(m, entity, false);
      if (list.length > 1) {
        sybilSum += v;
        sybilN++;
        identities += list.length;
      } else {
        singleSum += v;
        singleN++;
      }
    }
    if (!singleN) return null;
    return (sybilSum / sybilN - singleSum / singleN) / (identities / sybilN - 1);
  }, true),
];

function check(facts: ScenarioFacts): void {
  for (const b of facts.blocks("sybil")) {
    if (b.value("identities") === 1) facts.report("SBX3405", { group: b.name ?? "sybil" }, b, "identities");
  }
}

export const identity = mechanism({
  name: "identity",
  doc: "Identities with creation costs, proof of personhood and credentials; Sybil entities; Sybil detection by behavioural similarity.",
  plan: [IDENTITY_SLICE, SYBIL_DETECTION_SLICE],
  language: [
    { under: "scenario", block: IDENTITY },
    { under: "governance", block: SYBIL_DETECTION },
  ],
  check,
  create: createIdentity,
  metrics: METRICS,
  agents: {
    sybil: { params: SybilParams, block: SYBIL, reportsAs: "honest", policy: (a) => new SybilPolicy(a.params as SybilParams) },
  },
});

