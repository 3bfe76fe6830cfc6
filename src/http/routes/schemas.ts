/** Request schemas shared by the routes: validated names, a bounded audit reason. */
import { z } from 'zod';
import { taskNameSchema } from '../../scheduler/config.js';
import { zodRoute } from '../route-schema.js';

/** `:name` of a task or worker: the engine's own name rule (1-200 of letters, digits, `_ . : -`). */
export const nameParams = z.strictObject({ name: taskNameSchema });

/** run-now: why (required, recorded in the audit trail and the event stream). */
export const runNowBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

/** Other control routes: an optional reason for the audit log. */
export const controlBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).nullish();

/** Bodies are small JSON objects: anything larger is refused with 413 before parsing. */
export const CONTROL_BODY_LIMIT = 2048;

/** Routes without inputs still refuse unknown query parameters. */
export const noInput = zodRoute({ querystring: z.strictObject({}) });
