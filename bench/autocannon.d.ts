// The part of autocannon's API bench/http.bench.ts uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    connections?: number;
    overallRate?: number;
    duration?: number;
    headers?: Record<string, string>;
  }

  interface Result {
    non2xx: number;
    requests: { total: number };
    /** autocannon's own latency histogram (whole milliseconds). */
    latency: { p50: number; p99: number; max: number };
  }

  type Instance = EventEmitter & PromiseLike<Result>;

  function autocannon(options: Options): Instance;
  export default autocannon;
}
