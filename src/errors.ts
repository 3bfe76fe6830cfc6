/**
 * Every error tactus throws, each with a stable `code`.
 *
 * Codes survive a worker or HTTP boundary where `instanceof` does not: match on `error.code`.
 */

export class TactusError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration or argument was rejected; nothing was applied. */
export class InvalidConfigError extends TactusError {
  constructor(message: string) {
    super('ERR_TACTUS_INVALID_CONFIG', message);
  }
}

/** A task with this name is already registered. */
export class DuplicateTaskError extends TactusError {
  readonly taskName: string;

  constructor(name: string) {
    super('ERR_TACTUS_DUPLICATE_TASK', `a task named ${JSON.stringify(name)} is already scheduled`);
    this.taskName = name;
  }
}

/** No task with this name is registered. */
export class UnknownTaskError extends TactusError {
  readonly taskName: string;

  constructor(name: string) {
    super('ERR_TACTUS_UNKNOWN_TASK', `no task named ${JSON.stringify(name)}`);
    this.taskName = name;
  }
}

/** The task was cancelled; it accepts no more work. */
export class TaskCancelledError extends TactusError {
  readonly taskName: string;

  constructor(name: string, reason = 'cancelled') {
    super('ERR_TACTUS_TASK_CANCELLED', `task ${JSON.stringify(name)} is ${reason}`);
    this.taskName = name;
  }
}

/** The scheduler is stopping or stopped and accepts no new work. */
export class SchedulerStoppedError extends TactusError {
  constructor(state: string) {
    super('ERR_TACTUS_SCHEDULER_STOPPED', `the scheduler is ${state} and accepts no new work`);
  }
}

/**
 * Thrown by a task body for a recoverable failure (seed 003): counted and logged, and the task is
 * rescheduled by its policy as usual. It never stops a task.
 */
export class TaskNonFatalError extends TactusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TACTUS_TASK_NON_FATAL', message, options);
  }
}

/** Whether `error` is a TaskNonFatalError, by class or by its code (which survives a boundary). */
export function isTaskNonFatal(error: unknown): boolean {
  return error instanceof TaskNonFatalError || (error as { code?: unknown } | null | undefined)?.code === 'ERR_TACTUS_TASK_NON_FATAL';
}

/** A wait was aborted through its AbortSignal. */
export class AbortError extends TactusError {
  constructor(message = 'the operation was aborted', options?: { cause?: unknown }) {
    super('ABORT_ERR', message, options);
    this.name = 'AbortError';
  }
}

/** A record is larger than a shared ring's slot; nothing was written. */
export class RingRecordTooLargeError extends TactusError {
  readonly size: number;
  readonly slotBytes: number;

  constructor(size: number, slotBytes: number) {
    super('ERR_TACTUS_RING_RECORD_TOO_LARGE', `a ${size}-byte record does not fit a ${slotBytes}-byte ring slot`);
    this.size = size;
    this.slotBytes = slotBytes;
  }
}

/** A data-plane frame (or its type name) is larger than the configured limit; the frame was refused or skipped. */
export class FrameTooLargeError extends TactusError {
  readonly part: 'type' | 'data';
  readonly size: number;
  readonly limit: number;

  constructor(part: 'type' | 'data', size: number, limit: number) {
    super('ERR_TACTUS_FRAME_TOO_LARGE', `a data-plane frame's ${part} has ${size} bytes, above the limit of ${limit}`);
    this.part = part;
    this.size = size;
    this.limit = limit;
  }
}

/** A data-plane byte stream is not a frame stream (bad magic, version or type); its remaining bytes are discarded. */
export class MalformedFrameError extends TactusError {
  constructor(message: string) {
    super('ERR_TACTUS_FRAME_MALFORMED', message);
  }
}

/** A payload type name is invalid, or a shared type table has no room for another one. */
export class PayloadTypeError extends TactusError {
  constructor(message: string) {
    super('ERR_TACTUS_PAYLOAD_TYPE', message);
  }
}

/** A job's `dependsOn` names an id the scheduler does not know (never submitted, or forgotten). */
export class UnknownDependencyError extends TactusError {
  readonly dependencyId: string;

  constructor(jobName: string, dependencyId: string) {
    super('ERR_TACTUS_UNKNOWN_DEPENDENCY', `job ${JSON.stringify(jobName)} depends on unknown job id ${JSON.stringify(dependencyId)}`);
    this.dependencyId = dependencyId;
  }
}

/** Submitting these jobs would close a cycle of dependencies. */
export class DependencyCycleError extends TactusError {
  readonly cycle: readonly string[];

  constructor(cycle: readonly string[]) {
    super('ERR_TACTUS_DEPENDENCY_CYCLE', `dependency cycle: ${cycle.join(' -> ')}`);
    this.cycle = cycle;
  }
}

/** A job was cancelled because a job it depends on failed, was cancelled or missed its deadline. */
export class DependencyFailedError extends TactusError {
  readonly dependencyId: string;

  constructor(dependencyId: string, dependencyState: string, options?: { cause?: unknown }) {
    super('ERR_TACTUS_DEPENDENCY_FAILED', `dependency ${JSON.stringify(dependencyId)} ended ${dependencyState}`, options);
    this.dependencyId = dependencyId;
  }
}

/** A resource name was used before `defineResource`. */
export class UnknownResourceError extends TactusError {
  readonly resource: string;

  constructor(resource: string) {
    super('ERR_TACTUS_UNKNOWN_RESOURCE', `unknown resource ${JSON.stringify(resource)}`);
    this.resource = resource;
  }
}

/** An acquire would close a cycle in the wait-for graph; `cycle` lists job and resource names. */
export class DeadlockError extends TactusError {
  readonly cycle: readonly string[];

  constructor(cycle: readonly string[]) {
    super('ERR_TACTUS_DEADLOCK', `deadlock: ${cycle.join(' -> ')}`);
    this.cycle = cycle;
  }
}

/** A job ran longer than its `timeoutMs`. */
export class TaskTimeoutError extends TactusError {
  constructor(name: string, timeoutMs: number) {
    super('ERR_TACTUS_TASK_TIMEOUT', `job ${JSON.stringify(name)} timed out after ${timeoutMs} ms`);
  }
}

/** A hard-realtime job could not start before its deadline and was not run. */
export class DeadlineMissedError extends TactusError {
  constructor(name: string, deadline: number) {
    super('ERR_TACTUS_DEADLINE_MISSED', `hard-realtime job ${JSON.stringify(name)} could not start before its deadline (${deadline})`);
  }
}

/** A single-consumer stream (a worker's data plane) is already being read by another iterator. */
export class ConsumerBusyError extends TactusError {
  constructor(what: string) {
    super('ERR_TACTUS_CONSUMER_BUSY', `${what} already has a consumer; read it from one loop (fan out with createBridge)`);
  }
}
