/**
 * Who may do what. One bearer token guards everything but the documented public routes; it is
 * compared in constant time (both sides hashed to equal length first, so neither the content nor
 * the length leaks through timing). Browsers cannot set headers on a WebSocket, so the upgrade
 * also accepts the token as a subprotocol (`tactus.token.<token>`), never in the URL where logs
 * would keep it. Requests that carry an `Origin` must come from an allowed one: the loopback
 * origins of the port being served plus the configured list (cross-site WebSocket hijacking and
 * CSRF defence; non-browser clients send no Origin).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ForbiddenOriginError, UnauthorizedError } from './errors.js';

/** The subprotocol the telemetry socket speaks; the server always answers with it. */
export const TELEMETRY_PROTOCOL = 'tactus.v1';
/** Prefix of the subprotocol that carries the token on a WebSocket upgrade. */
export const TOKEN_PROTOCOL_PREFIX = 'tactus.token.';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export class TokenCheck {
  readonly #expected: Buffer;
  readonly #allowedOrigins: ReadonlySet<string>;

  constructor(token: string, allowedOrigins: readonly string[]) {
    this.#expected = digest(token);
    this.#allowedOrigins = new Set(allowedOrigins.map((origin) => origin.toLowerCase()));
  }

  /** Constant-time comparison of a presented token with the configured one. */
  matches(presented: string): boolean {
    return timingSafeEqual(digest(presented), this.#expected);
  }

  /** Throws `UnauthorizedError` unless the request carries the token. */
  assertAuthorized(request: FastifyRequest): void {
    const presented = presentedToken(request);
    if (presented === undefined || !this.matches(presented)) throw new UnauthorizedError();
  }

  /** Throws `ForbiddenOriginError` when the request has an Origin that is not allowed. */
  assertOrigin(request: FastifyRequest): void {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const normalised = origin.toLowerCase();
    if (this.#allowedOrigins.has(normalised)) return;
    const port = request.socket.localPort;
    if (port !== undefined && loopbackOrigins(port).includes(normalised)) return;
    throw new ForbiddenOriginError(origin);
  }
}

/** The token from `Authorization: Bearer …` or, on an upgrade, the token subprotocol. */
function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
    return match?.[1];
  }
  const protocols = request.headers['sec-websocket-protocol'];
  if (protocols === undefined) return undefined;
  for (const protocol of protocols.split(',')) {
    const trimmed = protocol.trim();
    if (trimmed.startsWith(TOKEN_PROTOCOL_PREFIX)) return trimmed.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return undefined;
}

function loopbackOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
}

/** Whether `host` names this machine only (so a service bound to it is unreachable from others). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}
