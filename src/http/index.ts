/** `tactus/fastify`: the service (routes, telemetry socket, dashboard) as a Fastify plugin. */
export { tactus, tactus as default } from './plugin.js';
export type { TactusPluginOptions, TelemetryOptions } from './options.js';
export { TactusService } from './service.js';
export type { BridgeSource, EventSource, MetricsRegistry, MonitorSource, SchedulerSource, TaskControl, WorkerSnapshot, WorkersSource } from './sources.js';
export { isLoopbackHost, TELEMETRY_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from './auth.js';
export { resolveServiceToken, type ServiceToken } from './token.js';
export type { ErrorReply } from './error-reply.js';
export type { TelemetryStats } from './telemetry/hub.js';
export type { ClientMessage } from './telemetry/protocol.js';
export {
  BadRequestError,
  ForbiddenOriginError,
  HttpError,
  InsecureListenError,
  ReadOnlyError,
  RouteNotFoundError,
  TooManyClientsError,
  UnauthorizedError,
} from './errors.js';
