/**
 * Errors of the worker layer, each with a stable `code`. A command's failure crosses the worker
 * boundary as `{ code, message }` and is rebuilt here, so callers match on `error.code` on both
 * sides of the boundary.
 */
import { TactusError } from '../errors.js';

/** `request()` got no response within its timeout; the worker may still run the command. */
export class WorkerRequestTimeoutError extends TactusError {
  constructor(worker: string, command: string, timeoutMs: number) {
    super('ERR_TACTUS_WORKER_TIMEOUT', `worker ${JSON.stringify(worker)}: ${JSON.stringify(command)} got no response within ${timeoutMs}ms`);
  }
}

/** The worker defines no command of this name. */
export class UnknownCommandError extends TactusError {
  constructor(message: string) {
    super('ERR_TACTUS_UNKNOWN_COMMAND', message);
  }
}

/** The command's payload failed the command's input schema. */
export class InvalidPayloadError extends TactusError {
  constructor(message: string) {
    super('ERR_TACTUS_INVALID_PAYLOAD', message);
  }
}

/** The command's handler threw; `remoteCode` is the code of the error it threw, if any. */
export class CommandFailedError extends TactusError {
  readonly remoteCode: string | undefined;

  constructor(message: string, remoteCode?: string) {
    super('ERR_TACTUS_COMMAND_FAILED', message);
    this.remoteCode = remoteCode;
  }
}

/**
 * The worker cannot take the request: it is degraded, stopping or stopped (`reason`), or it exited
 * while the request was in flight (`reason` `'aborted'`: the command may or may not have run).
 */
export class WorkerUnavailableError extends TactusError {
  readonly reason: string;

  constructor(worker: string, reason: string) {
    super('ERR_TACTUS_WORKER_UNAVAILABLE', `worker ${JSON.stringify(worker)} is unavailable (${reason})`);
    this.reason = reason;
  }
}

/** The manager is stopping or stopped and spawns nothing more. */
export class WorkerManagerStoppedError extends TactusError {
  constructor(state: string) {
    super('ERR_TACTUS_MANAGER_STOPPED', `the worker manager is ${state} and spawns no workers`);
  }
}

/** A worker of this name is already managed. */
export class DuplicateWorkerError extends TactusError {
  constructor(name: string) {
    super('ERR_TACTUS_DUPLICATE_WORKER', `a worker named ${JSON.stringify(name)} is already managed`);
  }
}

/** No worker of this name is managed. */
export class UnknownWorkerError extends TactusError {
  constructor(name: string) {
    super('ERR_TACTUS_UNKNOWN_WORKER', `no worker named ${JSON.stringify(name)}`);
  }
}

/** A control message could not be sent: too large, or the channel is closed or backed up. */
export class ProtocolError extends TactusError {
  constructor(message: string) {
    super('ERR_TACTUS_PROTOCOL', message);
  }
}

/** Rebuild a typed error from `{ code, message }` received over the control plane. */
export function errorFromWire(error: { code: string; message: string }): TactusError {
  switch (error.code) {
    case 'ERR_TACTUS_UNKNOWN_COMMAND':
      return new UnknownCommandError(error.message);
    case 'ERR_TACTUS_INVALID_PAYLOAD':
      return new InvalidPayloadError(error.message);
    default:
      return new CommandFailedError(error.message, error.code === 'ERR_TACTUS_COMMAND_FAILED' ? undefined : error.code);
  }
}
