/**
 * Resources with wait queues, priority inheritance and deadlock detection (seed 001).
 *
 * A resource has a capacity (default 1). A claim takes a SET of resources all-or-nothing; if any
 * is short, the claimant waits in every short resource's queue, served by effective priority.
 *
 * Priority inheritance: while a claimant waits, every holder of a resource it waits for runs at
 * least at the claimant's effective priority, transitively along chains of waiting holders, and
 * drops back when the wait ends. Holders are recomputed from scratch after every grant, release
 * or withdrawal: simple, and cheap at the sizes resources are used for.
 *
 * Deadlock detection: before a holder starts waiting, the wait-for graph is walked from the
 * holders of what it wants; reaching the claimant again means the wait would never end, so the
 * claim is refused with `DeadlockError` naming the cycle instead of hanging.
 */
import { DeadlockError, InvalidConfigError, UnknownResourceError } from '../../errors.js';

/** A party that holds and waits for resources (a running or blocked job). */
export interface ResourceClaimant {
  readonly name: string;
  readonly basePriority: number;
  effectivePriority: number;
  readonly seq: number;
  /** The claim it is waiting on, if any. */
  waitingFor: Claim | undefined;
  /** Called when its effective priority changed. */
  priorityChanged(): void;
}

/** A defined resource (opaque outside this module). */
export class Resource {
  readonly name: string;
  readonly capacity: number;
  inUse = 0;
  readonly holders = new Map<ResourceClaimant, number>();
  readonly waiters = new Set<Claim>();

  constructor(name: string, capacity: number) {
    this.name = name;
    this.capacity = capacity;
  }

  get free(): number {
    return this.capacity - this.inUse;
  }
}

export class Claim {
  readonly claimant: ResourceClaimant;
  readonly resources: readonly Resource[];
  readonly #onGrant: () => void;

  constructor(claimant: ResourceClaimant, resources: readonly Resource[], onGrant: () => void) {
    this.claimant = claimant;
    this.resources = resources;
    this.#onGrant = onGrant;
  }

  grant(): void {
    this.#onGrant();
  }
}

export interface ResourceDescription {
  name: string;
  capacity: number;
  inUse: number;
  holders: string[];
  waiting: number;
}

export class ResourceManager {
  readonly #resources = new Map<string, Resource>();
  /** Claimants holding anything, with what they hold. */
  readonly #held = new Map<ResourceClaimant, Map<Resource, number>>();

  define(name: string, capacity = 1): void {
    if (typeof name !== 'string' || !/^[A-Za-z0-9][\w.:-]{0,199}$/.test(name)) {
      throw new InvalidConfigError(`defineResource: name must be 1-200 letters, digits, _ . : - (got ${JSON.stringify(name)})`);
    }
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1_000_000) {
      throw new InvalidConfigError(`defineResource(${JSON.stringify(name)}): capacity must be an integer >= 1 (got ${String(capacity)})`);
    }
    if (this.#resources.has(name)) throw new InvalidConfigError(`defineResource: resource ${JSON.stringify(name)} is already defined`);
    this.#resources.set(name, new Resource(name, capacity));
  }

  has(name: string): boolean {
    return this.#resources.has(name);
  }

  /** Resolve names to resources, or throw UnknownResourceError; duplicates collapse. */
  resolve(names: readonly string[]): Resource[] {
    const resources: Resource[] = [];
    for (const name of names) {
      const resource = this.#resources.get(name);
      if (resource === undefined) throw new UnknownResourceError(name);
      if (!resources.includes(resource)) resources.push(resource);
    }
    return resources;
  }

  /** Take every resource now if all are free; otherwise take none and return false. */
  tryTake(claimant: ResourceClaimant, resources: readonly Resource[]): boolean {
    for (const resource of resources) if (resource.free < 1) return false;
    for (const resource of resources) this.#take(claimant, resource);
    return true;
  }

  /**
   * Queue a claim that is granted (all resources taken, then `onGrant`) once everything is free.
   * With `checkDeadlock`, refuse a wait that would close a cycle.
   */
  wait(claimant: ResourceClaimant, resources: readonly Resource[], onGrant: () => void, checkDeadlock: boolean): Claim {
    if (checkDeadlock) {
      const cycle = this.#findCycle(claimant, resources);
      if (cycle !== undefined) throw new DeadlockError(cycle);
    }
    const claim = new Claim(claimant, resources, onGrant);
    claimant.waitingFor = claim;
    for (const resource of resources) resource.waiters.add(claim);
    this.#recomputeInheritance();
    return claim;
  }

  /** Withdraw a waiting claim (cancelled). */
  withdraw(claim: Claim): void {
    for (const resource of claim.resources) resource.waiters.delete(claim);
    if (claim.claimant.waitingFor === claim) claim.claimant.waitingFor = undefined;
    this.#grantWaiters(claim.resources);
    this.#recomputeInheritance();
  }

  /** Release one unit of each of `resources` held by `claimant`. */
  release(claimant: ResourceClaimant, resources: readonly Resource[]): void {
    const held = this.#held.get(claimant);
    if (held === undefined) return;
    for (const resource of resources) {
      const count = held.get(resource);
      if (count === undefined) continue;
      if (count > 1) held.set(resource, count - 1);
      else held.delete(resource);
      resource.inUse--;
      const holderCount = resource.holders.get(claimant) ?? 0;
      if (holderCount > 1) resource.holders.set(claimant, holderCount - 1);
      else resource.holders.delete(claimant);
    }
    if (held.size === 0) {
      this.#held.delete(claimant);
      if (claimant.effectivePriority !== claimant.basePriority) {
        claimant.effectivePriority = claimant.basePriority; // holds nothing: nothing left to inherit
        claimant.priorityChanged();
      }
    }
    this.#grantWaiters(resources);
    this.#recomputeInheritance();
  }

  /** Release everything `claimant` holds (its run ended). */
  releaseAll(claimant: ResourceClaimant): void {
    const held = this.#held.get(claimant);
    if (held === undefined) return;
    const resources: Resource[] = [];
    for (const [resource, count] of held) for (let i = 0; i < count; i++) resources.push(resource);
    this.release(claimant, resources);
  }

  /** Visit every claimant waiting for resources. */
  forEachWaiting(visit: (claimant: ResourceClaimant) => void): void {
    for (const resource of this.#resources.values()) for (const claim of resource.waiters) visit(claim.claimant);
  }

  holds(claimant: ResourceClaimant): boolean {
    return this.#held.has(claimant);
  }

  describe(): ResourceDescription[] {
    return [...this.#resources.values()].map((r) => ({
      name: r.name,
      capacity: r.capacity,
      inUse: r.inUse,
      holders: [...r.holders.keys()].map((h) => h.name),
      waiting: r.waiters.size,
    }));
  }

  #take(claimant: ResourceClaimant, resource: Resource): void {
    resource.inUse++;
    resource.holders.set(claimant, (resource.holders.get(claimant) ?? 0) + 1);
    let held = this.#held.get(claimant);
    if (held === undefined) {
      held = new Map();
      this.#held.set(claimant, held);
    }
    held.set(resource, (held.get(resource) ?? 0) + 1);
  }

  /** Grant waiting claims on `released`, most urgent first, while they can be satisfied. */
  #grantWaiters(released: readonly Resource[]): void {
    const candidates = new Set<Claim>();
    for (const resource of released) for (const claim of resource.waiters) candidates.add(claim);
    if (candidates.size === 0) return;
    const ordered = [...candidates].sort(
      (a, b) => a.claimant.effectivePriority - b.claimant.effectivePriority || a.claimant.seq - b.claimant.seq,
    );
    for (const claim of ordered) {
      if (!claim.resources.every((r) => r.free >= 1)) continue;
      for (const resource of claim.resources) {
        resource.waiters.delete(claim);
        this.#take(claim.claimant, resource);
      }
      claim.claimant.waitingFor = undefined;
      claim.grant();
    }
  }

  /** Effective priority = base, raised to the most urgent waiter behind anything held, transitively. */
  #recomputeInheritance(): void {
    const changed = new Set<ResourceClaimant>();
    for (const holder of this.#held.keys()) {
      if (holder.effectivePriority !== holder.basePriority) {
        holder.effectivePriority = holder.basePriority;
        changed.add(holder);
      }
    }
    for (const resource of this.#resources.values()) {
      for (const claim of resource.waiters) this.#donate(claim.claimant.effectivePriority, resource, changed, 0);
    }
    for (const holder of changed) holder.priorityChanged();
  }

  #donate(priority: number, resource: Resource, changed: Set<ResourceClaimant>, depth: number): void {
    if (depth > 64) return;
    for (const holder of resource.holders.keys()) {
      if (priority >= holder.effectivePriority) continue;
      holder.effectivePriority = priority;
      changed.add(holder);
      const next = holder.waitingFor;
      if (next !== undefined) for (const r of next.resources) if (r.free < 1) this.#donate(priority, r, changed, depth + 1);
    }
  }

  /** A path claimant -> resource -> holder -> ... -> claimant, if waiting would close one. */
  #findCycle(claimant: ResourceClaimant, wanted: readonly Resource[]): string[] | undefined {
    const visited = new Set<ResourceClaimant>();
    const search = (resources: readonly Resource[], path: string[]): string[] | undefined => {
      for (const resource of resources) {
        if (resource.free >= 1) continue;
        for (const holder of resource.holders.keys()) {
          const step = [...path, resource.name, holder.name];
          if (holder === claimant) return step;
          if (visited.has(holder)) continue;
          visited.add(holder);
          const next = holder.waitingFor;
          if (next === undefined) continue;
          const found = search(next.resources, step);
          if (found !== undefined) return found;
        }
      }
      return undefined;
    };
    return search(wanted, [claimant.name]);
  }
}
