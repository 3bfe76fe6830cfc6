// `tactus hud` against a real listening service (the Fastify plugin with a Monitor): it prints
// the HUD line; its twin with a wrong token prints nothing and exits 1; bad arguments exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { tactus } from '../../src/http/plugin.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { hudCommand } from '../../src/cli/hud.js';
import { FakeQueue } from './fakes.js';

const TOKEN = 'hud-test-token-0123456789';

function sink() {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (chunk, _e, done) => { chunks.push(String(chunk)); done(); } }), text: () => chunks.join('') };
}

async function service() {
  const scheduler = new Scheduler();
  const queue = new FakeQueue('detect', 'gpu');
  queue.enqueue(12);
  const monitor = new Monitor({ scheduler, queues: [queue], intervalMs: 100, staleAfterMs: 1000 });
  const app = Fastify();
  await app.register(tactus, { scheduler, monitor, auth: { token: TOKEN }, dashboard: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}${app.tactus.prefix}` };
}

test('tactus hud prints the HUD line of a running service', async () => {
  const { app, url } = await service();
  try {
    const out = sink();
    const err = sink();
    const code = await hudCommand(['--url', url, '--token', TOKEN, '--interval-ms', '100', '--count', '2'], out.stream, err.stream, new AbortController().signal);
    assert.equal(code, 0, err.text());
    const lines = out.text().trim().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, /^0 workers \| backlog gpu=12 scheduler=0 \| stale: none/);
  } finally {
    await app.close();
  }
});

test('twin: a refused token prints no HUD and exits 1; bad arguments exit 2', async () => {
  const { app, url } = await service();
  try {
    const out = sink();
    const err = sink();
    const code = await hudCommand(['--url', url, '--token', 'wrong-token-0123456789', '--interval-ms', '100'], out.stream, err.stream, new AbortController().signal);
    assert.equal(code, 1);
    assert.equal(out.text(), '');
    assert.match(err.text(), /refused the token \(HTTP 401\)/);
  } finally {
    await app.close();
  }
  for (const args of [['--interval-ms', '5'], ['--url', 'ftp://x'], ['--bogus']]) {
    const err = sink();
    assert.equal(await hudCommand(args, sink().stream, err.stream, new AbortController().signal), 2, args.join(' '));
    assert.match(err.text(), /hud \[--url URL\]/);
  }
});

test('an unreachable service is reported once and retried until stopped', async () => {
  const out = sink();
  const err = sink();
  const controller = new AbortController();
  let reports = 0;
  const counting = new Writable({
    write: (chunk, _e, done) => {
      err.stream.write(chunk);
      if (++reports === 1) setTimeout(() => controller.abort(), 300); // a few retries, then Ctrl-C
      done();
    },
  });
  const code = await hudCommand(['--url', 'http://127.0.0.1:9/tactus', '--token', TOKEN, '--interval-ms', '100'], out.stream, counting, controller.signal);
  assert.equal(code, 0);
  assert.equal(out.text(), '');
  assert.equal(reports, 1, 'the same problem is reported once');
  assert.match(err.text(), /cannot reach http:\/\/127.0.0.1:9\/tactus/);
});
