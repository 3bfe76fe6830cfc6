/**
 * The real clock: `performance.now()` for the monotonic timeline (microsecond resolution, immune
 * to wall-clock changes) and `Date.now()` for wall time; alarms are `PreciseAlarm`s.
 */
import { performance } from 'node:perf_hooks';
import type { Alarm, Clock, TimerPrecision } from './clock.js';
import { PreciseAlarm } from './precise-alarm.js';

export interface SystemClockOptions {
  /** `coarse` (default) or `precise` (final-approach spin; costs CPU). */
  precision?: TimerPrecision;
  /** Precise mode: how early to stop the native timer and start spinning (default 1.5 ms). */
  spinMarginMs?: number;
}

const monotonicNow = (): number => performance.now();

export class SystemClock implements Clock {
  readonly precision: TimerPrecision;
  readonly #spinMarginMs: number | undefined;

  constructor(options: SystemClockOptions = {}) {
    this.precision = options.precision ?? 'coarse';
    this.#spinMarginMs = options.spinMarginMs;
  }

  now(): number {
    return performance.now();
  }

  wallNow(): number {
    // The one place wall time is read: it may jump, which is exactly what callers of wallNow() want.
    // eslint-disable-next-line no-restricted-properties
    return Date.now();
  }

  createAlarm(onWake: () => void): Alarm {
    return new PreciseAlarm(monotonicNow, onWake, {
      precision: this.precision,
      ...(this.#spinMarginMs === undefined ? {} : { spinMarginMs: this.#spinMarginMs }),
    });
  }
}
