/**
 * What an operator changes: seed 000's safety override (run-now, with a required reason, audited
 * with the principal and rate-limited), pause / resume of a task, restart and reset-degraded of a
 * worker. Every call is logged as an audit record; the override also reaches the event stream
 * through the scheduler's `safety-override` event, which carries the principal and reason.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { zodRoute } from '../route-schema.js';
import { UnknownWorkerError } from '../../workers/errors.js';
import type { TactusService } from '../service.js';
import { CONTROL_BODY_LIMIT, controlBody, nameParams, runNowBody } from './schemas.js';

export interface ControlRouteOptions {
  /** Who the token stands for; the audit principal is `<principal>@<client address>`. */
  principal: string;
  runNow: { max: number; timeWindowMs: number };
}

type Named<Body> = { Params: z.infer<typeof nameParams>; Body: Body };

const control = { tactusControl: true } as const;

export function registerControlRoutes(scope: FastifyInstance, service: TactusService, options: ControlRouteOptions): void {
  const principalOf = (request: FastifyRequest): string => `${options.principal}@${request.ip}`;
  const audit = (request: FastifyRequest, action: string, target: string, reason: string | undefined): string => {
    const principal = principalOf(request);
    request.log.warn({ audit: action, target, reason, principal }, `tactus ${action} ${target}`);
    return principal;
  };

  scope.post<Named<z.infer<typeof runNowBody>>>(
    '/tasks/:name/run-now',
    {
      ...zodRoute({ params: nameParams, body: runNowBody }),
      bodyLimit: CONTROL_BODY_LIMIT,
      config: { ...control, rateLimit: { max: options.runNow.max, timeWindow: options.runNow.timeWindowMs } },
    },
    async (request, reply) => {
      const { name } = request.params;
      const { reason } = request.body;
      const principal = audit(request, 'run-now', name, reason);
      const { coalesced } = service.scheduler.runImmediately(name, { reason, principal });
      service.changed();
      return reply.code(202).send({ name, accepted: true, coalesced, principal, reason });
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    scope.post<Named<z.infer<typeof controlBody>>>(
      `/tasks/:name/${action}`,
      { ...zodRoute({ params: nameParams, body: controlBody }), bodyLimit: CONTROL_BODY_LIMIT, config: control },
      async (request) => {
        const { name } = request.params;
        const handle = service.scheduler.get(name);
        audit(request, action, name, request.body?.reason);
        handle[action]();
        service.changed();
        return { name, state: handle.state };
      },
    );
  }

  for (const [path, action] of [
    ['restart', 'restart'],
    ['reset-degraded', 'resetDegraded'],
  ] as const) {
    scope.post<Named<z.infer<typeof controlBody>>>(
      `/workers/:name/${path}`,
      { ...zodRoute({ params: nameParams, body: controlBody }), bodyLimit: CONTROL_BODY_LIMIT, config: control },
      async (request) => {
        const { name } = request.params;
        const workers = service.workers;
        if (workers === undefined || !workers.list().some((w) => w.name === name)) throw new UnknownWorkerError(name);
        audit(request, `worker-${path}`, name, request.body?.reason);
        await workers[action](name);
        service.changed();
        return { name, ok: true, worker: workers.list().find((w) => w.name === name) ?? null };
      },
    );
  }
}
