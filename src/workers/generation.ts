/**
 * One generation of a worker: one thread or process, its connection, its heartbeat cell, what the
 * supervisor asked of it. `launchGeneration` starts it (the launcher boots it; `init` is sent
 * later, when the generation is activated), and `exitReason` says how it ended.
 */
import { encodeMessage } from './codec.js';
import type { ExitReason } from './events.js';
import { HeartbeatCell } from './heartbeat-cell.js';
import type { ConnectionEvents, ExitInfo, Launcher, WorkerConnection } from './launch/connection.js';
import type { DataPlaneInit, InitMessage } from './protocol.js';
import type { RingChannelInit } from './data-plane/ring-channel.js';
import { spinMarginMs, type ParsedSpec } from './spec.js';
import type { Watchdog } from './watchdog.js';

export interface Generation {
  readonly number: number;
  readonly connection: WorkerConnection;
  readonly heartbeat: HeartbeatCell | undefined;
  /** The encoded `init` message; sent when the generation is activated. */
  readonly initText: string;
  /** `init` was sent: before that, a pre-launched generation only boots. */
  activated: boolean;
  watchdog: Watchdog | undefined;
  /** Last heartbeat counter received (processes). */
  beat: number | undefined;
  /** What the supervisor asked for when it ended this generation, if anything. */
  intent: ExitReason | undefined;
  /** Start the next generation right after this one exits (`restart()`), no backoff. */
  relaunch: boolean;
  /** The worker's `fatal` report, if it sent one. */
  fatal: string | null;
}

export interface GenerationOptions {
  spec: ParsedSpec;
  number: number;
  launcher: Launcher;
  heartbeatMs: number;
  statsIntervalMs: number;
  maxMessageBytes: number;
  data: { init: DataPlaneInit; ring: RingChannelInit | undefined };
}

/** Boot generation `number`. A launcher that throws yields a generation whose exit follows in a microtask. */
export function launchGeneration(options: GenerationOptions, events: ConnectionEvents): Generation {
  const { spec, number } = options;
  const heartbeat = spec.isolation === 'thread' ? HeartbeatCell.create() : undefined;
  const init: InitMessage = {
    type: 'init',
    name: spec.name,
    generation: number,
    isolation: spec.isolation,
    module: spec.module,
    ...(spec.config === undefined ? {} : { config: spec.config as InitMessage['config'] }),
    heartbeatMs: options.heartbeatMs,
    statsIntervalMs: options.statsIntervalMs,
    timing: { spinMarginMs: spinMarginMs(spec.timing), niceness: spec.niceness ?? null },
    data: options.data.init,
    maxMessageBytes: options.maxMessageBytes,
  };
  const generation = (connection: WorkerConnection, intent: ExitReason | undefined): Generation => ({
    number,
    connection,
    heartbeat,
    initText: encodeMessage(init, options.maxMessageBytes),
    activated: false,
    watchdog: undefined,
    beat: undefined,
    intent,
    relaunch: false,
    fatal: null,
  });
  try {
    const connection = options.launcher(
      {
        name: spec.name,
        generation: number,
        isolation: spec.isolation,
        module: spec.module,
        maxMessageBytes: options.maxMessageBytes,
        env: spec.env,
        execArgv: spec.execArgv,
        heartbeat: heartbeat?.buffer,
        data: options.data.ring,
        resourceLimits: spec.resourceLimits,
      },
      events,
    );
    return generation(connection, undefined);
  } catch (error) {
    queueMicrotask(() => events.exit({ code: null, signal: null, error: error instanceof Error ? error : new Error(String(error)) }));
    return generation({ pid: null, threadId: null, dataStream: undefined, send: () => false, kill: () => {} }, 'spawn-failed');
  }
}

/**
 * True when an exit cannot be the kill's doing: it carries the error the worker died of, or an exit
 * code with no signal other than 1 (the kill ends a process by SIGKILL and a thread with code 1).
 */
function diedOnItsOwn(info: ExitInfo): boolean {
  return info.error !== undefined || (info.signal === null && info.code !== null && info.code !== 1);
}

/** How a generation ended, from what the supervisor asked for and how it exited. */
export function exitReason(intent: ExitReason | undefined, info: ExitInfo): ExitReason {
  if (intent === 'stopped' || intent === 'restarted') {
    return info.code === 0 && info.signal === null ? intent : 'killed';
  }
  // A dying worker closes its channel first; when its exit outlasted the disconnect grace (a busy
  // machine tears a thread down slowly), how it died is still the better reason.
  if (intent !== undefined && !(intent === 'disconnected' && diedOnItsOwn(info))) return intent;
  if ((info.error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'out-of-memory';
  return info.code === 0 && info.signal === null && info.error === undefined ? 'exited' : 'crashed';
}
