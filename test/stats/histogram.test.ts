import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DurationHistogram } from '../../src/stats/histogram.js';

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

test('percentiles are within the bucket error of the exact values', () => {
  const histogram = new DurationHistogram();
  const values: number[] = [];
  let s = 7;
  for (let i = 0; i < 10_000; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const ms = (s / 2 ** 31) ** 3 * 500; // skewed: many small, a few large
    values.push(ms);
    histogram.record(ms);
  }
  values.sort((a, b) => a - b);
  for (const p of [50, 95, 99]) {
    const exact = exactPercentile(values, p);
    const estimate = histogram.percentile(p);
    assert.ok(Math.abs(estimate - exact) <= exact * 0.04 + 0.001, `p${p}: ${estimate} vs ${exact}`);
  }
  assert.equal(histogram.maxMs, values.at(-1));
  assert.equal(histogram.count, 10_000);
});

test('zero and sub-microsecond values read as zero; negative values count as zero', () => {
  const histogram = new DurationHistogram();
  histogram.record(0);
  histogram.record(-5);
  histogram.record(0.0001);
  assert.deepEqual(histogram.summary(), { p50: 0, p95: 0, p99: 0, max: 0.0001 });
});

test('an empty histogram reports zeros and reset empties it', () => {
  const histogram = new DurationHistogram();
  assert.deepEqual(histogram.summary(), { p50: 0, p95: 0, p99: 0, max: 0 });
  histogram.record(12);
  assert.equal(histogram.percentile(50) > 11 && histogram.percentile(50) <= 12, true);
  histogram.reset();
  assert.equal(histogram.count, 0);
  assert.equal(histogram.percentile(99), 0);
});

test('huge values are clamped into the last bucket without throwing', () => {
  const histogram = new DurationHistogram();
  histogram.record(1e12);
  assert.equal(histogram.maxMs, 1e12);
  assert.ok(histogram.percentile(50) > 4e6);
});
