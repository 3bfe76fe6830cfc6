/**
 * The guard every tactus route sits behind, installed on each of the plugin's encapsulated
 * scopes: the Origin check and the bearer token on every request unless the route is marked
 * public (`config.tactusPublic`), read-only refusal for control routes (`config.tactusControl`),
 * and one JSON error shape for everything, including unknown sub-paths, which answer 401 before
 * they answer 404 so nothing under the prefix is discoverable without the token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenCheck } from './auth.js';
import { toErrorReply } from './error-reply.js';
import { ReadOnlyError, RouteNotFoundError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without the token (the dashboard shell, health). */
    tactusPublic?: boolean;
    /** Changes something: refused in read-only mode. */
    tactusControl?: boolean;
  }
}

export interface GuardOptions {
  auth: TokenCheck;
  readOnly: boolean;
  /** Install a JSON 404 handler for unknown paths of this scope (after the token check). */
  notFound: boolean;
}

export function installGuard(scope: FastifyInstance, options: GuardOptions): void {
  scope.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    options.auth.assertOrigin(request);
    if (config.tactusPublic === true) return;
    options.auth.assertAuthorized(request);
    if (config.tactusControl === true && options.readOnly) throw new ReadOnlyError();
  });
  scope.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const body = toErrorReply(error);
    if (body.statusCode >= 500) request.log.error({ err: error }, 'tactus route failed');
    else request.log.debug({ code: body.code, url: request.url }, body.message);
    return reply.code(body.statusCode).header('cache-control', 'no-store').send(body);
  });
  if (options.notFound) {
    scope.setNotFoundHandler((request) => {
      throw new RouteNotFoundError(request.method, request.url);
    });
  }
}
