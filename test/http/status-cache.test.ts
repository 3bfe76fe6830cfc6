import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_CACHE_MS } from '../../src/http/service.js';
import { AUTH, rig } from './helpers.js';

const json = (body: string): any => JSON.parse(body);
const runsOf = (status: any, name: string): number => status.scheduler.tasks.find((t: any) => t.name === name).stats.runs;

test('status is rebuilt at most once per window, and at once after a control action', async () => {
  const { app, clock } = await rig();
  await app.ready();
  await clock.advance(50);
  const startedAt = performance.now();
  const first = json((await app.inject({ url: '/tactus/status', headers: AUTH })).body);
  await clock.advance(100); // more runs happen on the scheduler's clock
  const second = json((await app.inject({ url: '/tactus/status', headers: AUTH })).body);
  if (performance.now() - startedAt < STATUS_CACHE_MS) {
    assert.equal(runsOf(second, 'piezo.control'), runsOf(first, 'piezo.control'), 'served from the window');
  }
  const paused = await app.inject({ method: 'POST', url: '/tactus/tasks/piezo.control/pause', headers: AUTH });
  assert.equal(paused.statusCode, 200);
  const third = json((await app.inject({ url: '/tactus/status', headers: AUTH })).body);
  assert.equal(third.scheduler.tasks.find((t: any) => t.name === 'piezo.control').state, 'paused', 'the change shows at once');
  assert.ok(runsOf(third, 'piezo.control') > runsOf(first, 'piezo.control'));
  await new Promise((resolve) => setTimeout(resolve, STATUS_CACHE_MS + 20));
  await clock.advance(100);
  const fourth = json((await app.inject({ url: '/tactus/status', headers: AUTH })).body);
  assert.ok(runsOf(fourth, 'stage.position') > runsOf(third, 'stage.position'), 'rebuilt after the window');
  await app.close();
});
