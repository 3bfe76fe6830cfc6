// Reliability plan I1-I4: on a real listening server, every route the plugin registers and every
// sub-path under the prefix answers 401 without the token, except the documented public ones
// (the dashboard shell and the health probe), and the telemetry upgrade is refused before it
// becomes a socket. The twin: with the token, no route answers 401.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH, TOKEN, listen, rig, upgradeStatus } from './helpers.js';

/** The documented public routes (README, "Security"). */
const PUBLIC = new Set([
  'GET /tactus',
  'GET /tactus/',
  'GET /tactus/healthz',
  'GET /tactus/assets/app.js',
  'GET /tactus/assets/app.css',
  'GET /tactus/assets/uplot.js',
  'GET /tactus/assets/uplot.css',
]);

const isPublic = (method: string, url: string): boolean => PUBLIC.has(`${method === 'HEAD' ? 'GET' : method} ${url}`);

async function matrixRig() {
  const routes: { method: string; url: string }[] = [];
  const r = await rig({}, (app) => {
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    });
  });
  const base = await listen(r.app);
  return { ...r, base, routes };
}

const concrete = (url: string): string => url.replace(':name', 'piezo.control');

async function call(base: string, method: string, url: string, headers: Record<string, string> = {}): Promise<number> {
  const withBody = method === 'POST';
  const response = await fetch(`${base}${url}`, {
    method,
    headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(withBody ? { body: JSON.stringify({ reason: 'auth matrix' }) } : {}),
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response.status;
}

test('every registered route answers 401 without a token, except the documented public ones (I1-I4)', async () => {
  const { app, base, routes } = await matrixRig();
  try {
    assert.ok(routes.length >= 20, `the walk covers the plugin's routes (${routes.length})`);
    const seen = new Set<string>();
    for (const { method, url } of routes) {
      const path = concrete(url);
      for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
        const status = await call(base, method, path, headers);
        if (isPublic(method, url)) assert.notEqual(status, 401, `${method} ${url} is public`);
        else assert.equal(status, 401, `${method} ${path} without a valid token`);
      }
      seen.add(`${method} ${url}`);
    }
    // Fastify reports the prefix root once ('/tactus'); the trailing-slash form is served too.
    for (const route of PUBLIC) if (route !== 'GET /tactus/') assert.ok(seen.has(route), `public route ${route} exists`);
    assert.equal(await call(base, 'GET', '/tactus/'), 200);
    for (const required of ['GET /tactus/status', 'GET /tactus/tasks', 'GET /tactus/tasks/:name', 'GET /tactus/workers', 'GET /metrics', 'GET /ws/telemetry',
      'POST /tactus/tasks/:name/run-now', 'POST /tactus/tasks/:name/pause', 'POST /tactus/tasks/:name/resume',
      'POST /tactus/workers/:name/restart', 'POST /tactus/workers/:name/reset-degraded']) {
      assert.ok(seen.has(required), `${required} was walked`);
    }
  } finally {
    await app.close();
  }
});

test('unknown sub-paths under the prefix answer 401 before 404, with any method', async () => {
  const { app, base } = await matrixRig();
  try {
    const paths = ['/tactus/assets/secret.js', '/tactus/assets/', '/tactus/index.html', '/tactus/tasks/piezo.control/extra', '/tactus/admin',
      '/tactus/assets/..%2fapp.js', '/tactus/healthz/x', '/tactus/tasks/piezo.control/cancel', '/tactus/workers/camera', '/tactus/debug/routes'];
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
        assert.equal(await call(base, method, path), 401, `${method} ${path}`);
      }
      assert.equal(await call(base, 'GET', path, AUTH), 404, `GET ${path} with the token is simply not found`);
    }
    for (const method of ['PUT', 'DELETE', 'PATCH']) assert.equal(await call(base, method, '/tactus/status'), 401, `${method} /tactus/status`);
  } finally {
    await app.close();
  }
});

test('the telemetry upgrade needs the token: refused with 401 before it becomes a socket', async () => {
  const { app, base } = await matrixRig();
  try {
    assert.equal(await upgradeStatus(base), 401);
    assert.equal(await upgradeStatus(base, { protocols: ['tactus.v1'] }), 401);
    assert.equal(await upgradeStatus(base, { protocols: ['tactus.v1', 'tactus.token.wrong-token-0123456789'] }), 401);
    assert.equal(await upgradeStatus(base, { headers: { authorization: 'Bearer wrong-token-0123456789' } }), 401);
    assert.equal(await upgradeStatus(base, { protocols: ['tactus.v1', `tactus.token.${TOKEN}`], headers: { origin: 'http://evil.example' } }), 403);
  } finally {
    await app.close();
  }
});

test('twin: with the token no route answers 401', async () => {
  const { app, base, routes } = await matrixRig();
  try {
    for (const { method, url } of routes) {
      if (url === '/ws/telemetry') continue;
      const status = await call(base, method, concrete(url), AUTH);
      assert.notEqual(status, 401, `${method} ${url}`);
      assert.ok(status < 500, `${method} ${url} answered ${status}`);
    }
  } finally {
    await app.close();
  }
});
