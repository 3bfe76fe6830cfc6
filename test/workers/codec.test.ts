import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, RejectCounter, MAX_DEPTH } from '../../src/workers/codec.js';
import { LineReader } from '../../src/workers/line-reader.js';
import { HEARTBEAT_PREFIX, parentMessageSchemas, workerMessageSchemas } from '../../src/workers/protocol.js';

const LIMIT = 64 * 1024;
const decode = (raw: unknown) => decodeMessage(raw, workerMessageSchemas, LIMIT);

test('a well-formed message round-trips through encode and decode', () => {
  const text = encodeMessage({ type: 'heartbeat', gen: 3, beat: 17, task: 'capture' }, LIMIT);
  assert.ok(text.startsWith(HEARTBEAT_PREFIX), 'the flood filter relies on this exact prefix');
  const decoded = decode(text);
  assert.deepEqual(decoded, { ok: true, message: { type: 'heartbeat', gen: 3, beat: 17, task: 'capture' } });
});

test('malformed messages are rejected by reason and never throw (D4)', () => {
  const deep = '{"type":"log","gen":1,"level":"info","msg":"x","fields":{"a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}}';
  const cases: [unknown, string][] = [
    ['not json at all', 'invalid-json'],
    ['{"type":"heartbeat",', 'invalid-json'],
    [42, 'not-text'],
    [{ type: 'heartbeat', gen: 1, beat: 1, task: null }, 'not-text'],
    ['[1,2,3]', 'invalid-message'],
    ['null', 'invalid-message'],
    ['{"type":"launch-missiles","gen":1}', 'unknown-type'],
    ['{"type":"toString","gen":1}', 'unknown-type'],
    ['{"type":"__proto__","gen":1}', 'unknown-type'],
    ['{"gen":1}', 'unknown-type'],
    ['{"type":"heartbeat","gen":1,"beat":1,"task":null,"__proto__":{"polluted":true}}', 'forbidden-key'],
    ['{"type":"log","gen":1,"level":"info","msg":"x","fields":{"constructor":{"prototype":{"polluted":true}}}}', 'forbidden-key'],
    ['{"type":"heartbeat","gen":1,"beat":-1,"task":null}', 'invalid-message'],
    ['{"type":"heartbeat","gen":0,"beat":1,"task":null}', 'invalid-message'],
    ['{"type":"heartbeat","gen":1,"beat":null,"task":null}', 'invalid-message'],
    ['{"type":"heartbeat","gen":1,"beat":1.5,"task":null}', 'invalid-message'],
    ['{"type":"heartbeat","gen":1,"beat":1,"task":null,"extra":1}', 'invalid-message'],
    ['{"type":"loop-event","gen":1,"loop":"a","kind":"deadline-miss","total":1e400,"delta":1,"detail":null}', 'invalid-message'],
    [deep, 'too-deep'],
    ['x'.repeat(LIMIT + 1), 'too-large'],
    ['"' + 'é'.repeat(LIMIT / 2 + 1) + '"', 'too-large'],
  ];
  const counter = new RejectCounter();
  for (const [raw, reason] of cases) {
    const decoded = decode(raw);
    assert.equal(decoded.ok, false, `accepted ${String(raw).slice(0, 60)}`);
    if (!decoded.ok) {
      assert.equal(decoded.reason, reason, `${String(raw).slice(0, 60)}: ${decoded.detail}`);
      counter.count(decoded.reason);
    }
  }
  assert.equal(counter.total, cases.length);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'no prototype pollution');
  assert.equal(Object.getPrototypeOf(counter.snapshot()), Object.prototype);
});

test('nesting is allowed up to the depth limit and refused beyond it', () => {
  const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });
  const ok = JSON.stringify({ type: 'log', gen: 1, level: 'info', msg: 'x', fields: { a: nested(MAX_DEPTH - 3) } });
  assert.equal(decode(ok).ok, true);
  const tooDeep = JSON.stringify({ type: 'log', gen: 1, level: 'info', msg: 'x', fields: { a: nested(MAX_DEPTH) } });
  assert.deepEqual(decode(tooDeep).ok, false);
});

test('the worker decodes parent messages against the parent table only', () => {
  const init = parentMessageSchemas;
  assert.equal(decodeMessage('{"type":"heartbeat","gen":1,"beat":1,"task":null}', init, LIMIT).ok, false);
  const request = decodeMessage('{"type":"request","id":1,"command":"setFrameRate","payload":{"fps":60}}', init, LIMIT);
  assert.deepEqual(request, { ok: true, message: { type: 'request', id: 1, command: 'setFrameRate', payload: { fps: 60 } } });
});

test('encoding refuses a message over the limit with a typed error', () => {
  assert.throws(() => encodeMessage({ type: 'log', msg: 'x'.repeat(2000) }, 1024), { code: 'ERR_TACTUS_PROTOCOL' });
});

test('the line reader splits lines across chunks and drops an oversized line without buffering it', () => {
  const lines: string[] = [];
  let tooLarge = 0;
  const reader = new LineReader(16, (line) => lines.push(line), () => tooLarge++);
  reader.push(Buffer.from('ab'));
  reader.push(Buffer.from('c\nde\n\nf'));
  reader.push(Buffer.from('x'.repeat(100)));
  reader.push(Buffer.from('x'.repeat(100)));
  reader.push(Buffer.from('\ngh\n'));
  const multi = Buffer.from('é\n');
  reader.push(multi.subarray(0, 1));
  reader.push(multi.subarray(1));
  assert.deepEqual(lines, ['abc', 'de', 'gh', 'é']);
  assert.equal(tooLarge, 1);
});
