/**
 * Starts a worker generation as a child process running the runtime entry. Control messages are
 * newline-delimited JSON over a socket pipe on fd 3 (split with a size limit, see line-reader.ts);
 * data is a binary framed stream on fd 4. Heartbeats arrive as control messages. Killing is
 * SIGKILL: it works on a process stopped with SIGSTOP too (a pending SIGTERM would not). The child
 * starts with a low timer slack (timer-slack.ts).
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { LineReader } from '../line-reader.js';
import type { ConnectionEvents, LaunchRequest, WorkerConnection } from './connection.js';
import { inheritedExecArgv, RUNTIME_ENTRY_PATH } from './runtime-entry.js';
import { withTimerSlack, WORKER_TIMER_SLACK_NS } from './timer-slack.js';

export function launchProcess(request: LaunchRequest, events: ConnectionEvents): WorkerConnection {
  const child = withTimerSlack(WORKER_TIMER_SLACK_NS, () =>
    spawn(process.execPath, [...(request.execArgv ?? inheritedExecArgv()), ...heapFlags(request), RUNTIME_ENTRY_PATH, String(request.maxMessageBytes)], {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'pipe'],
      env: request.env === undefined ? process.env : { ...process.env, ...request.env },
      windowsHide: true,
    }),
  );
  const control = child.stdio[3] as Socket | null;
  const data = child.stdio[4] as Socket | null;
  const maxPendingBytes = 4 * request.maxMessageBytes;
  let exited = false;
  const exit = (code: number | null, signal: string | null, error: Error | undefined): void => {
    if (exited) return;
    exited = true;
    events.exit({ code, signal, error });
  };
  child.once('error', (error) => {
    // spawn failed (no exit will follow), or a kill failed on a process that is already gone
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) exit(null, null, error);
  });
  child.once('exit', (code, signal) => exit(code, signal, undefined));
  if (control !== null) {
    const lines = new LineReader(request.maxMessageBytes, (line) => events.message(line), () => events.tooLarge());
    control.on('data', (chunk: Buffer) => lines.push(chunk));
    control.on('error', () => {});
    control.on('close', () => {
      if (!exited && child.exitCode === null && child.signalCode === null) events.disconnect();
    });
  }
  data?.on('error', () => {});
  return {
    pid: child.pid ?? null,
    threadId: null,
    dataStream: data ?? undefined,
    send(text) {
      if (exited || control === null || control.destroyed || control.writableLength > maxPendingBytes) return false;
      control.write(`${text}\n`);
      return true;
    },
    kill() {
      if (!exited && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** A process's heap limit as a V8 flag (the spec admits only the old generation for processes). */
function heapFlags(request: LaunchRequest): string[] {
  const oldMb = request.resourceLimits?.maxOldGenerationSizeMb;
  return oldMb === undefined ? [] : [`--max-old-space-size=${oldMb}`];
}
