// Random job workloads under ManualClock, every policy: dependencies (batches chained by custom
// id too), declared and acquired resources, timeouts, retries, hard deadlines, yields, fatal and
// non-fatal failures and cancels all mixed, checked
// against the invariants that must hold whatever the mix:
// - never more jobs holding a slot than maxConcurrency, never a resource over its capacity;
// - a job never runs two attempts at once, nor more attempts than 1 + its retries;
// - a job starts only once each of its dependencies has completed;
// - in the end (everything finished, or drained by stop(), or aborted by terminate()) every job is
//   final, its result settled to match its state, the summary's counts add up, and no slot, queue
//   entry or resource is left taken.
// FUZZ_SEEDS=150 runs more seeds per policy (12 by default), FUZZ_POLICY=fifo one policy only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlockError, TaskNonFatalError } from '../../src/errors.js';
import type { TaskHandle } from '../../src/scheduler/jobs/job.js';
import { TaskState, type JobContext, type JobSpec } from '../../src/scheduler/jobs/job-spec.js';
import type { SchedulingPolicy } from '../../src/scheduler/policies/index.js';
import { rng } from '../fixtures/rng.js';
import { manualScheduler } from '../scheduler/helpers.js';

const POLICIES: SchedulingPolicy[] = ['priority', 'edf', 'fair', 'realtime', 'fifo'];
const RESOURCES = ['r1', 'r2', 'r3'];

interface Tracked {
  /** Set right after submit (the job's function holds this record before the handle exists). */
  handle: TaskHandle;
  dependsOn: readonly Tracked[];
  maxAttempts: number;
  running: number;
  attempts: number;
  settled: 'pending' | 'fulfilled' | 'rejected';
}

async function fuzz(seed: number, policy: SchedulingPolicy): Promise<void> {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maxConcurrency = 1 + Math.floor(random() * 4);
  const capacities = new Map(RESOURCES.map((name) => [name, 1 + Math.floor(random() * 2)]));
  const { clock, scheduler } = manualScheduler({ policy, maxConcurrency });
  for (const [name, capacity] of capacities) scheduler.defineResource(name, { capacity });
  scheduler.start();
  const jobs: Tracked[] = [];

  const body = (me: Tracked, plan: { steps: number; failAt: number; nonFatal: boolean; acquire: string | undefined }) =>
    async (ctx: JobContext): Promise<number> => {
      me.running++;
      me.attempts++;
      assert.equal(me.running, 1, `${ctx.name} runs two attempts at once`);
      assert.ok(me.attempts <= me.maxAttempts, `${ctx.name} ran ${me.attempts} attempts, allowed ${me.maxAttempts}`);
      for (const dependency of me.dependsOn) {
        assert.equal(dependency.handle.state, TaskState.COMPLETED, `${ctx.name} started while its dependency ${dependency.handle.name} is ${dependency.handle.state}`);
      }
      try {
        let release: (() => void) | undefined;
        if (plan.acquire !== undefined) {
          try {
            release = await ctx.acquire(plan.acquire);
          } catch (error) {
            if (!(error instanceof DeadlockError)) throw error;
          }
        }
        for (let step = 0; step < plan.steps; step++) {
          await ctx.sleep(1 + Math.floor(random() * 3));
          if (ctx.signal.aborted) throw ctx.signal.reason;
          if (step === plan.failAt && ctx.attempt === 1) throw plan.nonFatal ? new TaskNonFatalError(`${ctx.name} fails once`) : new Error(`${ctx.name} fails once`);
          if (ctx.shouldYield()) await ctx.yield();
        }
        release?.();
        return ctx.attempt;
      } finally {
        me.running--;
      }
    };

  /** A random spec (and its record) for a job depending on `dependsOn`, named by `dependsOnIds`. */
  const prepare = (name: string, dependsOn: Tracked[], dependsOnIds: string[], id?: string): { spec: JobSpec; me: Tracked } => {
    const declared = random() < 0.3 ? [pick(RESOURCES)] : [];
    const retries = random() < 0.3 ? 1 + Math.floor(random() * 2) : 0;
    const hard = random() < 0.15;
    const constraints: NonNullable<JobSpec['constraints']> = {
      preemptible: random() < 0.8,
      ...(dependsOnIds.length > 0 ? { dependsOn: dependsOnIds } : {}),
      ...(declared.length > 0 ? { resources: declared } : {}),
      ...(random() < 0.2 ? { timeoutMs: 2 + Math.floor(random() * 8) } : {}),
      ...(retries > 0 ? { retry: { attempts: retries, backoffMs: 1 + Math.floor(random() * 3) } } : {}),
      ...(hard || random() < 0.2 ? { deadline: clock.now() + 1 + Math.floor(random() * 30), hardRealtime: hard } : {}),
    };
    const plan = {
      steps: Math.floor(random() * 5),
      failAt: random() < 0.25 ? 0 : -1,
      nonFatal: random() < 0.5,
      acquire: random() < 0.25 ? pick(RESOURCES) : undefined,
    };
    const me: Tracked = { handle: undefined as unknown as TaskHandle, dependsOn, maxAttempts: 1 + retries, running: 0, attempts: 0, settled: 'pending' };
    const spec: JobSpec = { name, priority: Math.floor(random() * 7), fn: body(me, plan), constraints, ...(id === undefined ? {} : { id }) };
    return { spec, me };
  };

  const track = (me: Tracked, handle: TaskHandle): void => {
    me.handle = handle;
    handle.result.then(
      () => (me.settled = 'fulfilled'),
      () => (me.settled = 'rejected'),
    );
    jobs.push(me);
  };

  const submit = (): void => {
    const dependsOn = jobs.length > 0 && random() < 0.3 ? [pick(jobs)] : [];
    const { spec, me } = prepare(`job${jobs.length}`, dependsOn, dependsOn.map((d) => d.handle.id));
    track(me, scheduler.submit(spec));
  };

  /** Two to four jobs at once, each after the first depending on the one before it (by custom id) or on nothing. */
  const submitBatch = (): void => {
    const batch = jobs.length;
    const prepared: { spec: JobSpec; me: Tracked }[] = [];
    for (let i = 0; i < 2 + Math.floor(random() * 3); i++) {
      const previous = prepared.at(-1);
      const chained = previous !== undefined && random() < 0.7;
      prepared.push(prepare(`batch${batch}-${i}`, chained ? [previous.me] : [], chained ? [`b${batch}-${i - 1}`] : [], `b${batch}-${i}`));
    }
    const handles = scheduler.submitBatch(prepared.map((p) => p.spec));
    prepared.forEach((p, i) => track(p.me, handles[i]!));
  };

  const checkBounds = (): void => {
    const summary = scheduler.summary();
    assert.ok(summary.running <= maxConcurrency, `${summary.running} running, maxConcurrency ${maxConcurrency}`);
    for (const resource of scheduler.resources()) {
      assert.ok(resource.inUse <= resource.capacity, `${resource.name}: ${resource.inUse} in use, capacity ${resource.capacity}`);
    }
  };

  for (let step = 0; step < 250; step++) {
    const action = random();
    if (action < 0.5) submit();
    else if (action < 0.55) submitBatch();
    else if (action < 0.65 && jobs.length > 0) pick(jobs).handle.cancel('fuzz');
    else await clock.advance(Math.floor(random() * 4));
    checkBounds();
  }
  // the end: let everything finish, drain with stop(), or abort what is left with terminate()
  const ending = pick(['finish', 'stop', 'terminate'] as const);
  const ended = ending === 'stop' ? scheduler.stop() : ending === 'terminate' ? scheduler.terminate() : Promise.resolve();
  await clock.advance(10_000);
  await ended;
  await clock.flush();

  const summary = scheduler.summary();
  const byState = new Map<TaskState, number>();
  for (const job of jobs) {
    const { state, name } = { state: job.handle.state, name: job.handle.name };
    byState.set(state, (byState.get(state) ?? 0) + 1);
    assert.ok(
      state === TaskState.COMPLETED || state === TaskState.FAILED || state === TaskState.CANCELLED || state === TaskState.DEADLINE_MISSED,
      `${name} ended ${state}`,
    );
    assert.equal(job.settled, state === TaskState.COMPLETED ? 'fulfilled' : 'rejected', `${name}: result vs state ${state}`);
  }
  assert.equal(summary.submitted, jobs.length);
  assert.equal(summary.completed, byState.get(TaskState.COMPLETED) ?? 0);
  assert.equal(summary.failed, byState.get(TaskState.FAILED) ?? 0);
  assert.equal(summary.cancelled, byState.get(TaskState.CANCELLED) ?? 0);
  assert.deepEqual([summary.live, summary.running, summary.queueSize], [0, 0, 0]);
  for (const resource of scheduler.resources()) {
    assert.deepEqual([resource.name, resource.inUse, resource.holders, resource.waiting], [resource.name, 0, [], 0]);
  }
  if (ending === 'finish') await scheduler.stop();
}

for (const policy of POLICIES.filter((p) => process.env.FUZZ_POLICY === undefined || p === process.env.FUZZ_POLICY)) {
  test(`random job workloads under ${policy}: bounds hold throughout, and everything ends settled and released`, async () => {
    for (let seed = 1; seed <= Number(process.env.FUZZ_SEEDS ?? 12); seed++) {
      try {
        await fuzz(seed * 7919, policy);
      } catch (error) {
        assert.fail(`seed ${seed * 7919}: ${(error as Error).stack ?? String(error)}`);
      }
    }
  });
}
