/**
 * Starts a worker generation on a `worker_threads` thread. Control messages travel as strings
 * over a dedicated MessageChannel (its `close` tells a disconnect from an exit); the heartbeat and
 * the data ring are SharedArrayBuffers handed over in `workerData`, so the parent reads progress
 * and data without any message. Killing is `worker.terminate()`, which also stops a thread stuck
 * in an endless loop.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { ThreadWorkerData } from '../runtime/worker-channel.js';
import type { ConnectionEvents, LaunchRequest, WorkerConnection } from './connection.js';
import { isTypeScript, RUNTIME_ENTRY, tsxThreadBootstrap } from './runtime-entry.js';
import { withTimerSlack, WORKER_TIMER_SLACK_NS } from './timer-slack.js';

export function launchThread(request: LaunchRequest, events: ConnectionEvents): WorkerConnection {
  if (request.heartbeat === undefined) throw new TypeError('a thread worker needs a heartbeat buffer');
  const { port1, port2 } = new MessageChannel();
  const tactus: ThreadWorkerData = { control: port2, heartbeat: request.heartbeat, data: request.data ?? null, maxMessageBytes: request.maxMessageBytes };
  const bootstrap = isTypeScript(RUNTIME_ENTRY.href) || isTypeScript(request.module) ? tsxThreadBootstrap() : undefined;
  const worker = withTimerSlack(
    WORKER_TIMER_SLACK_NS,
    () =>
      new Worker(bootstrap ?? RUNTIME_ENTRY, {
        ...(bootstrap === undefined ? {} : { eval: true }),
        workerData: { tactus },
        transferList: [port2],
        ...(request.env === undefined ? {} : { env: { ...process.env, ...request.env } }),
        ...(request.execArgv === undefined ? {} : { execArgv: request.execArgv }),
        ...(request.resourceLimits === undefined ? {} : { resourceLimits: request.resourceLimits }),
        name: `tactus:${request.name}#${request.generation}`,
      }),
  );
  let exited = false;
  let killed = false;
  let lastError: Error | undefined;
  port1.on('message', (raw: unknown) => events.message(raw));
  port1.on('close', () => {
    // a terminated thread's port closes before its exit is reported (tens of ms for a big heap): not a disconnect
    if (!exited && !killed) events.disconnect();
  });
  worker.on('error', (error) => {
    lastError = error;
  });
  worker.on('exit', (code) => {
    exited = true;
    port1.close();
    events.exit({ code, signal: null, error: lastError });
  });
  return {
    pid: process.pid,
    threadId: worker.threadId,
    dataStream: undefined,
    send(text) {
      if (exited) return false;
      port1.postMessage(text);
      return true;
    },
    kill() {
      if (exited) return;
      killed = true;
      void worker.terminate();
    },
  };
}
