/**
 * The logging seam: a structural subset of pino's logger, so a `pino()` instance (or a child)
 * can be passed as is. Library use is silent by default.
 */

type LogMethod = (fields: object, message?: string) => void;

export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

const ignore: LogMethod = () => {};

export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
