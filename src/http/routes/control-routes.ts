/**
 * What an operator changes: seed 000's safety override (run-now, with a required reason, audited
 * with the principal and rate-limited), pause / resume of a task, restart and reset-degraded of a
 * worker (a restart is answered once the fresh generation runs, or after `restartReplyWithinMs` as
 * still in progress). Every call is logged as an audit record; the override also reaches the event stream
 * through the scheduler's `safety-override` event, which carries the principal and reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
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
  /** How long a worker restart may take before it is answered as still in progress. */
  restartReplyWithinMs: number;
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
        const done = await settledWithin(workers[action](name), options.restartReplyWithinMs);
        service.changed();
        return { name, ok: true, inProgress: !done, worker: workers.list().find((w) => w.name === name) ?? null };
      },
    );
  }
}

/**
 * Whether `outcome` (a promise, or a plain value: done) settled within `ms`; its error if it failed
 * in time. A failure after that is the worker's own business (its events report it), not an
 * unhandled rejection.
 */
async function settledWithin(outcome: unknown, ms: number): Promise<boolean> {
  if (!(outcome instanceof Promise)) return true;
  const done = outcome.then(() => true);
  done.catch(() => {});
  const timer = new AbortController();
  try {
    return await Promise.race([done, sleep(ms, false, { signal: timer.signal, ref: false })]);
  } finally {
    timer.abort();
  }
}
