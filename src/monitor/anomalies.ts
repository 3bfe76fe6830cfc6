/**
 * Anomalies as structured log events (seeds 000 and 001): one `event` name per kind and stable
 * fields, so log pipelines can alert on them without parsing messages. The monitor writes them to
 * its injected pino-compatible logger (silent by default); each is logged once per occurrence,
 * never once per tick.
 */
import type { Logger } from '../logger.js';
import type { JsonObject } from './detail.js';

export type Anomaly =
  | { event: 'deadline-miss-burst'; task: string; misses: number; windowMs: number; totalMisses: number }
  | { event: 'safety-override'; task: string; reason: string; principal: string | null; coalesced: boolean }
  | { event: 'worker-escalation'; worker: string | null; detail: JsonObject }
  | { event: 'stale'; worker: string; generation: number; heartbeatAgeMs: number; silentMs: number; staleAfterMs: number }
  | { event: 'degraded'; worker: string | null; detail: JsonObject }
  | { event: 'latency-alert'; detail: JsonObject };

export type AnomalyEvent = Anomaly['event'];

const MESSAGES: Record<AnomalyEvent, string> = {
  'deadline-miss-burst': 'deadline misses in a burst',
  'safety-override': 'safety override',
  'worker-escalation': 'worker escalation',
  stale: 'worker stale: no heartbeat',
  degraded: 'worker degraded: restarts stopped',
  'latency-alert': 'latency above its alert threshold',
};

/** Log an anomaly with its stable fields and `at` (monotonic ms). */
export function logAnomaly(logger: Logger, at: number, anomaly: Anomaly): void {
  const fields = { ...anomaly, at };
  if (anomaly.event === 'degraded') logger.error(fields, MESSAGES[anomaly.event]);
  else logger.warn(fields, MESSAGES[anomaly.event]);
}
