import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartPolicy } from '../../src/workers/restart-policy.js';

const noJitter = () => 0.5;

test('backoff doubles from 100 ms to the 30 s cap (A7)', () => {
  const policy = new RestartPolicy({}, { maxRestarts: 1000 }, noJitter);
  const delays: number[] = [];
  for (let i = 0; i < 12; i++) {
    const decision = policy.failed(i * 100_000);
    assert.equal(decision.action, 'restart');
    if (decision.action === 'restart') delays.push(decision.delayMs);
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000]);
});

test('jitter spreads each delay by at most +-10 % by default, never beyond the cap', () => {
  const low = new RestartPolicy({}, {}, () => 0);
  const high = new RestartPolicy({}, {}, () => 0.999999);
  const lowDelay = low.failed(0);
  const highDelay = high.failed(0);
  assert.ok(lowDelay.action === 'restart' && Math.abs(lowDelay.delayMs - 90) < 1e-9);
  assert.ok(highDelay.action === 'restart' && highDelay.delayMs > 109.99 && highDelay.delayMs < 110);
  const capped = new RestartPolicy({ initialMs: 30_000 }, {}, () => 0.999999).failed(0);
  assert.ok(capped.action === 'restart' && capped.delayMs === 30_000);
});

test('running for resetAfterMs resets the backoff; a shorter run does not (A9)', () => {
  const policy = new RestartPolicy({}, { maxRestarts: 100 }, noJitter);
  policy.failed(0);
  policy.failed(1000);
  policy.running(2000);
  const short = policy.failed(2000 + 59_999);
  assert.ok(short.action === 'restart' && short.delayMs === 400, 'ran 59.999 s: no reset');
  policy.running(100_000);
  const stable = policy.failed(160_000);
  assert.ok(stable.action === 'restart' && stable.delayMs === 100 && stable.attempt === 1, 'ran 60 s: back to 100 ms');
});

test('the budget: the 6th failure within 10 s degrades, the 5th does not (A7, A8 edges)', () => {
  const policy = new RestartPolicy({}, {}, noJitter);
  for (let i = 0; i < 5; i++) assert.equal(policy.failed(i * 1000).action, 'restart', `failure ${i + 1}`);
  const sixth = policy.failed(9999);
  assert.deepEqual(sixth, { action: 'degrade', failures: 6, windowMs: 10_000 });
});

test('failures spaced just beyond the window never degrade (A8 negative control)', () => {
  const policy = new RestartPolicy({}, {}, noJitter);
  const spacing = 10_000 / 5 + 1; // period / intensity + epsilon
  for (let t = 0; t < 60_000; t += spacing) assert.equal(policy.failed(t).action, 'restart', `at ${t}`);
});

test('a failure exactly windowMs after an old one no longer counts the old one', () => {
  const policy = new RestartPolicy({}, { maxRestarts: 1, windowMs: 5000 }, noJitter);
  assert.equal(policy.failed(0).action, 'restart');
  assert.equal(policy.failed(5000).action, 'restart', 'the first failure left the window at exactly 5000');
  assert.equal(policy.failed(9999).action, 'degrade');
});

test('reset forgets the budget and the backoff', () => {
  const policy = new RestartPolicy({}, { maxRestarts: 2 }, noJitter);
  policy.failed(0);
  policy.failed(1);
  assert.equal(policy.failed(2).action, 'degrade');
  policy.reset();
  const after = policy.failed(3);
  assert.ok(after.action === 'restart' && after.delayMs === 100);
});
