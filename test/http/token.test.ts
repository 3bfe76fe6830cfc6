import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidConfigError } from '../../src/errors.js';
import { InsecureListenError, isLoopbackHost, resolveServiceToken } from '../../src/http/index.js';

test('a loopback service without a configured token gets a random one', () => {
  const a = resolveServiceToken('127.0.0.1', undefined);
  const b = resolveServiceToken('localhost', undefined);
  assert.equal(a.generated, true);
  assert.match(a.token, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(a.token, b.token);
});

test('a non-loopback address without a configured token is refused; with one it is allowed', () => {
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'lab.example.com', '[::]']) {
    assert.throws(() => resolveServiceToken(host, undefined), InsecureListenError, host);
    assert.throws(() => resolveServiceToken(host, ''), InsecureListenError, host);
  }
  assert.deepEqual(resolveServiceToken('0.0.0.0', 'configured-token-123456'), { token: 'configured-token-123456', generated: false });
});

test('a configured token must be long enough and subprotocol-safe', () => {
  assert.throws(() => resolveServiceToken('127.0.0.1', 'short'), InvalidConfigError);
  assert.throws(() => resolveServiceToken('127.0.0.1', 'has spaces in it 1234567'), InvalidConfigError);
});

test('loopback hosts', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '127.0.0.1.example.com']) assert.equal(isLoopbackHost(host), false, host);
});
