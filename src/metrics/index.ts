/** tactus/metrics: Prometheus metrics through prom-client (kept out of the core so it need not load prom-client). */
export { registerMetrics, type RegisterMetricsOptions, type RegisteredMetrics } from './register.js';
export type { MetricsSources } from './scrape.js';
export { OVERFLOW_LABEL } from './label-budget.js';
export type { LabelLimits } from './families.js';
export {
  enableOpenTelemetry,
  type OpenTelemetryBridge,
  type OpenTelemetryOptions,
  type OtelAttributes,
  type OtelBatchCallback,
  type OtelBatchResult,
  type OtelMeter,
  type OtelObservable,
  type OtelSpan,
  type OtelTracer,
} from '../telemetry/otel.js';
