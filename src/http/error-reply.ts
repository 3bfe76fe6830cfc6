/**
 * One mapping from any error to the JSON error reply: the service's own `HttpError`s carry their
 * status; the engine's errors map by their stable `code` (unknown task 404, cancelled task 409,
 * stopped scheduler or worker manager 503, invalid argument 400; unknown anything 404); Fastify's parser and validation errors become
 * 400 / 413 / 415 with tactus codes; anything else is a 500 whose details stay in the log.
 */
import { STATUS_CODES } from 'node:http';
import { HttpError } from './errors.js';

export interface ErrorReply {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

const BY_CODE: Readonly<Record<string, number>> = {
  ERR_TACTUS_UNKNOWN_TASK: 404,
  ERR_TACTUS_TASK_CANCELLED: 409,
  ERR_TACTUS_SCHEDULER_STOPPED: 503,
  ERR_TACTUS_INVALID_CONFIG: 400,
  ERR_TACTUS_MANAGER_STOPPED: 503,
  ERR_TACTUS_WORKER_UNAVAILABLE: 503,
};

const FASTIFY_CODES: Readonly<Record<string, { statusCode: number; code: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { statusCode: 413, code: 'ERR_TACTUS_BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { statusCode: 415, code: 'ERR_TACTUS_UNSUPPORTED_MEDIA_TYPE' },
};

function reply(statusCode: number, code: string, message: string): ErrorReply {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 500) : 'error';
}

export function toErrorReply(error: unknown): ErrorReply {
  if (error instanceof HttpError) return reply(error.statusCode, error.code, error.message);
  const code = codeOf(error);
  if (code !== undefined) {
    const status = BY_CODE[code] ?? (/^ERR_TACTUS_UNKNOWN_/.test(code) ? 404 : undefined);
    if (status !== undefined) return reply(status, code, messageOf(error));
    const fastify = FASTIFY_CODES[code];
    if (fastify !== undefined) return reply(fastify.statusCode, fastify.code, messageOf(error));
  }
  const statusCode = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  if (statusCode === 429) return reply(429, 'ERR_TACTUS_RATE_LIMITED', messageOf(error));
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return reply(statusCode, statusCode === 400 ? 'ERR_TACTUS_BAD_REQUEST' : `ERR_TACTUS_HTTP_${statusCode}`, messageOf(error));
  }
  return reply(500, 'ERR_TACTUS_INTERNAL', 'internal error');
}
