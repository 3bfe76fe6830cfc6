/**
 * What an operator reads: the status (the scheduler's `describe()` with the monitor's snapshot),
 * the tasks, one task, the workers and the event timeline. All need the token; only the health
 * probe is public, and it says nothing but "up".
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnknownTaskError } from '../../errors.js';
import { zodRoute } from '../route-schema.js';
import type { TactusService } from '../service.js';
import { nameParams, noInput } from './schemas.js';

const timelineQuery = z.strictObject({
  sinceMs: z.coerce.number().finite().optional(),
  afterSeq: z.coerce.number().int().nonnegative().optional(),
  kinds: z.string().max(500).regex(/^[\w.:,-]*$/).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export function registerReadRoutes(scope: FastifyInstance, service: TactusService): void {
  scope.get('/healthz', { ...noInput, config: { tactusPublic: true } }, async () => ({ ok: true }));

  scope.get('/status', noInput, async (_request, reply) => reply.type('application/json; charset=utf-8').send(service.statusBody()));

  scope.get('/tasks', noInput, async () => service.scheduler.describe().tasks);

  scope.get<{ Params: z.infer<typeof nameParams> }>('/tasks/:name', zodRoute({ params: nameParams }), async (request) => {
    const task = service.scheduler.describe().tasks.find((t) => t.name === request.params.name);
    if (task === undefined) throw new UnknownTaskError(request.params.name);
    return task;
  });

  scope.get('/workers', noInput, async () => service.workers?.list() ?? []);

  scope.get<{ Querystring: z.infer<typeof timelineQuery> }>('/timeline', zodRoute({ querystring: timelineQuery }), async (request) => {
    const { sinceMs, afterSeq, kinds, limit } = request.query;
    return (
      service.monitor?.timeline({
        ...(sinceMs === undefined ? {} : { sinceMs }),
        ...(afterSeq === undefined ? {} : { afterSeq }),
        ...(kinds === undefined || kinds === '' ? {} : { kinds: kinds.split(',') }),
        limit: limit ?? 200,
      }) ?? []
    );
  });
}
