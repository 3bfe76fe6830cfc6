import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_CACHE_MS } from '../../src/http/service.js';
import { AUTH, rig } from './helpers.js';

const json = (body: string): any => JSON.parse(body);
const runsOf = (status: any, name: string): number => status.scheduler.tasks.find((t: any) => t.name === name).stats.runs;

test('status is built once and served again, at once afresh after a control action, and kept fresh while read', async () => {
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
  await clock.advance(100);
  // While reads keep coming, a timer rebuilds the status off the request path: a later read shows the new runs.
  const deadline = performance.now() + 5000;
  let latest = third;
  while (runsOf(latest, 'stage.position') <= runsOf(third, 'stage.position')) {
    assert.ok(performance.now() < deadline, 'rebuilt in the background while read');
    await new Promise((resolve) => setTimeout(resolve, 10));
    latest = json((await app.inject({ url: '/tactus/status', headers: AUTH })).body);
  }
  const response = await app.inject({ url: '/tactus/status', headers: AUTH });
  assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(Number(response.headers['content-length']), Buffer.byteLength(response.body));
  await app.close();
});
