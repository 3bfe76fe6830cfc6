/**
 * The service's errors: each a `TactusError` with a stable `code` and the HTTP status it answers
 * with. Every error reply has the same JSON body, `{ statusCode, code, error, message }`.
 */
import { TactusError } from '../errors.js';

export class HttpError extends TactusError {
  readonly statusCode: number;

  constructor(statusCode: number, code: string, message: string) {
    super(code, message);
    this.statusCode = statusCode;
  }
}

/** No valid bearer token was presented. */
export class UnauthorizedError extends HttpError {
  constructor() {
    super(401, 'ERR_TACTUS_UNAUTHORIZED', 'a valid bearer token is required');
  }
}

/** The request came from a browser page whose Origin is not on the allow-list. */
export class ForbiddenOriginError extends HttpError {
  constructor(origin: string) {
    super(403, 'ERR_TACTUS_FORBIDDEN_ORIGIN', `origin ${JSON.stringify(origin.slice(0, 100))} is not allowed`);
  }
}

/** The service runs read-only: control routes are refused. */
export class ReadOnlyError extends HttpError {
  constructor() {
    super(403, 'ERR_TACTUS_READ_ONLY', 'the service is read-only');
  }
}

/** No route at this path. */
export class RouteNotFoundError extends HttpError {
  constructor(method: string, url: string) {
    super(404, 'ERR_TACTUS_NOT_FOUND', `no route ${method} ${url.slice(0, 200)}`);
  }
}

/** The telemetry socket is at its connection cap. */
export class TooManyClientsError extends HttpError {
  constructor(max: number) {
    super(503, 'ERR_TACTUS_TOO_MANY_CLIENTS', `the telemetry socket is at its cap of ${max} clients`);
  }
}

/** Refused: listening on a non-loopback address needs an explicitly configured token. */
export class InsecureListenError extends TactusError {
  constructor(host: string) {
    super('ERR_TACTUS_INSECURE_LISTEN', `refusing to listen on ${JSON.stringify(host)} without a configured token (set TACTUS_TOKEN or pass token)`);
  }
}

/** The request's params, query or body failed validation. */
export class BadRequestError extends HttpError {
  constructor(message: string) {
    super(400, 'ERR_TACTUS_BAD_REQUEST', message);
  }
}
