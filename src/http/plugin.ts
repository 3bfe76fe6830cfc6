/**
 * `tactus/fastify`: the service as a Fastify plugin (seed 000's FastAPI lifespan singleton).
 *
 *   await app.register(tactus, { scheduler, workers, monitor, auth: { token } });
 *
 * It decorates the instance with `app.tactus` (the sources, for the application's own routes),
 * starts the scheduler and monitor on `onReady` and drains everything on `onClose`. Routes live
 * in two encapsulated scopes that share one guard (token, Origin, read-only, JSON errors): the
 * API and dashboard under `{prefix}`, and `/metrics` and `/ws/telemetry` at their usual paths.
 */
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Registry } from 'prom-client';
import { registerMetrics } from '../metrics/register.js';
import { TELEMETRY_PROTOCOL, TokenCheck } from './auth.js';
import { loadDashboardAssets, registerDashboardRoutes } from './dashboard/routes.js';
import { installGuard } from './guard.js';
import { resolveOptions, type ResolvedOptions, type TactusPluginOptions } from './options.js';
import { registerControlRoutes } from './routes/control-routes.js';
import { registerReadRoutes } from './routes/read-routes.js';
import { noInput } from './routes/schemas.js';
import { TactusService } from './service.js';
import { TelemetryHub } from './telemetry/hub.js';
import { registerTelemetryRoute } from './telemetry/route.js';

declare module 'fastify' {
  interface FastifyInstance {
    tactus: TactusService;
  }
}

async function tactusPlugin(app: FastifyInstance, rawOptions: TactusPluginOptions): Promise<void> {
  const options = resolveOptions(rawOptions);
  const auth = new TokenCheck(options.token, options.allowedOrigins);
  const hub = new TelemetryHub({
    scheduler: options.scheduler,
    workers: options.workers,
    monitor: options.monitor,
    bridge: options.bridge,
    now: () => options.scheduler.now(),
    tickMs: options.telemetry.tickMs,
    maxBufferedBytes: options.telemetry.maxBufferedBytes,
  });
  const metrics = options.metrics === undefined ? defaultRegistry(options) : options.metrics || undefined;
  const service = new TactusService(options, hub, metrics);
  const assets = options.dashboard ? await loadDashboardAssets({ prefix: options.prefix, telemetryPath: options.telemetry.path }) : undefined;
  app.decorate('tactus', service);

  if (!app.hasDecorator('websocketServer')) {
    await app.register(websocket, {
      options: {
        maxPayload: options.telemetry.maxMessageBytes,
        // Answer with the telemetry protocol, never echo the token subprotocol.
        handleProtocols: (protocols: Set<string>) => (protocols.has(TELEMETRY_PROTOCOL) ? TELEMETRY_PROTOCOL : false),
      },
    });
  }

  await app.register(
    async (scope) => {
      installGuard(scope, { auth, readOnly: options.readOnly, notFound: true });
      if (!scope.hasDecorator('rateLimit')) await scope.register(rateLimit, { global: false });
      registerReadRoutes(scope, service);
      registerControlRoutes(scope, service, { principal: options.principal, runNow: options.runNow, restartReplyWithinMs: options.restartReplyWithinMs });
      if (assets !== undefined) registerDashboardRoutes(scope, assets);
    },
    { prefix: options.prefix },
  );

  await app.register(async (scope) => {
    installGuard(scope, { auth, readOnly: options.readOnly, notFound: false });
    registerTelemetryRoute(scope, hub, options.telemetry);
    const registry = service.metrics;
    if (registry !== undefined) {
      scope.get(options.metricsPath, noInput, async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
    }
  });

  app.addHook('onReady', async () => {
    if (!options.lifecycle) return;
    options.scheduler.start();
    options.monitor?.start();
  });
  app.addHook('preClose', async () => {
    hub.close();
    service.close();
  });
  app.addHook('onClose', async () => {
    if (!options.lifecycle) return;
    options.monitor?.stop();
    await options.scheduler.stop();
    await options.workers?.stop();
  });
}

/** A fresh registry with tactus's metrics over the plugin's sources (never prom-client's global one). */
function defaultRegistry(options: ResolvedOptions): Registry {
  const registry = new Registry();
  registerMetrics(registry, {
    scheduler: options.scheduler,
    ...(options.workers === undefined ? {} : { workers: [options.workers] }),
    ...(options.monitor === undefined ? {} : { monitor: options.monitor }),
  });
  return registry;
}

/** The plugin; register it with `TactusPluginOptions`. */
export const tactus = fp(tactusPlugin, { name: 'tactus', fastify: '5.x' });
