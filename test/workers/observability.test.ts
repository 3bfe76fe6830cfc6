/**
 * What the monitor, metrics and HTTP layers read, on real workers: the task a worker is busy on,
 * loop stats in `scheduler.describe()` (seed 000's isolated tasks), coalesced loop events, logs
 * through the parent's logger, and the built package (dist/) spawning its own runtime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import type { Logger } from '../../src/logger.js';
import { FAULT_WORKER, nextEvent, realManager, until, type FaultWorker } from './helpers/real.js';

for (const isolation of ['thread', 'process'] as const) {
  test(`${isolation}: ctx.setTask shows in the snapshot; a deadline miss arrives as a loop event; logs reach the parent's logger`, async (t) => {
    const logs: { fields: object; msg: string | undefined }[] = [];
    const capture = (fields: object, msg?: string): void => {
      logs.push({ fields, msg });
    };
    const logger: Logger = { debug: capture, info: capture, warn: capture, error: capture };
    const manager = realManager(t, { logger });
    const handle = manager.spawn<FaultWorker>({ name: 'obs', module: FAULT_WORKER, isolation });
    await handle.ready();
    await handle.request('setTask', { task: 'calibrating' });
    await until(() => manager.list()[0]?.task === 'calibrating', 'the task in the snapshot');
    await handle.request('setTask', { task: null });
    await until(() => manager.list()[0]?.task === null, 'idle again');
    const missed = nextEvent(manager, 'loop-event', (e) => e.kind === 'deadline-miss');
    await handle.request('fault', { kind: 'block', ms: 30 });
    const event = await missed;
    assert.equal(event.loop, 'tick');
    assert.ok(event.total >= 1 && event.delta >= 1);
    await handle.request('log', { msg: 'lens dirty' });
    await until(() => logs.some((l) => l.msg === 'lens dirty'), 'the forwarded log');
    const forwarded = logs.find((l) => l.msg === 'lens dirty')!;
    assert.deepEqual(forwarded.fields, { detail: 42, worker: 'obs', generation: 1 });
  });
}

test('niceness applies to the loop thread only (a positive value needs no privilege)', async (t) => {
  const manager = realManager(t);
  const handles = (['thread', 'process'] as const).map((isolation) => manager.spawn<FaultWorker>({ name: isolation, module: FAULT_WORKER, isolation, niceness: 5 }));
  await Promise.all(handles.map((h) => h.ready()));
  for (const handle of handles) assert.equal(await handle.request('niceness'), 5, handle.name);
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  assert.equal(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]), 0, "the parent's own thread is untouched");
});

test("a process worker starts with a 1 us timer slack; the parent's own slack is put back", { skip: existsSync('/proc/self/timerslack_ns') ? false : 'no /proc/<pid>/timerslack_ns here' }, async (t) => {
  const slack = (pid: number | 'self'): number => Number(readFileSync(`/proc/${pid}/timerslack_ns`, 'utf8'));
  const before = slack('self');
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'slack', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  assert.equal(slack(handle.pid!), 1000);
  assert.equal(slack('self'), before);
});

test('worker loops appear in scheduler.describe(), marked isolated, with their run stats (seed 000)', async (t) => {
  const manager = realManager(t);
  const scheduler = new Scheduler();
  t.after(() => scheduler.stop());
  manager.attachTo(scheduler);
  const handle = manager.spawn<FaultWorker>({ name: 'iso', module: FAULT_WORKER });
  await handle.ready();
  await until(() => (manager.list()[0]?.loops[0]?.stats.runs ?? 0) > 5, 'loop stats from the worker');
  const task = scheduler.describe().tasks.find((d) => d.name === 'iso/tick');
  assert.equal(task?.isolated, true);
  assert.equal(task?.periodMs, 10);
  assert.ok((task?.stats.runs ?? 0) > 5);
  assert.match(scheduler.dumpState(), /iso\/tick \[periodic \w+ isolated\]/);
});

const built = new URL('../../dist/workers/index.js', import.meta.url);

test('the built package spawns its own runtime and dummy workers from dist/', { skip: existsSync(built) ? false : 'dist/ not built (npm test builds it first)' }, async (t) => {
  const dist = (await import(built.href)) as typeof import('../../src/workers/index.js');
  const manager = new dist.WorkerManager({ heartbeatMs: 50 });
  t.after(() => manager.terminate());
  assert.match(dist.dummyFtSensor.module.href, /\/dist\/workers\/dummy\/ft-sensor\.js$/);
  for (const isolation of ['thread', 'process'] as const) {
    const handle = manager.spawn({ name: `ft-${isolation}`, ...dist.dummyFtSensor, isolation });
    await handle.ready();
    for await (const payload of handle.data()) {
      assert.equal(payload.type, 'ft_sample');
      break;
    }
    assert.deepEqual(await handle.request('tare'), { tared: true });
  }
  await manager.stop();
});
