/**
 * The script the manager starts for every worker, thread or process alike: it opens the worker's
 * end of the control channel and hands it to the runtime, which waits for `init` and imports the
 * user's worker module from there. Users never start this file themselves.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../codec.js';
import { SystemClock } from '../../time/system-clock.js';
import { openDataSink } from './data-sink.js';
import { WorkerRuntime } from './runtime.js';
import { isThreadWorkerData, openProcessChannel, openThreadChannel } from './worker-channel.js';

const clock = new SystemClock();
const threadData = !isMainThread && isThreadWorkerData(workerData) ? workerData.tactus : undefined;
const maxMessageBytes = threadData?.maxMessageBytes ?? (Number(process.argv[2]) || DEFAULT_MAX_MESSAGE_BYTES);
const channel = threadData !== undefined ? openThreadChannel(threadData) : openProcessChannel(maxMessageBytes);

// A process worker leaves its shutdown to its parent. Ctrl-C signals the terminal's whole process
// group, and systemd (KillMode=control-group) sends SIGTERM to every process of the service, so
// without this the worker would die before the parent could drain it (stop command, then
// stopTimeoutMs): its device never closed cleanly, and the parent would log a crash and schedule a
// restart in the middle of its own shutdown. The worker still exits when the parent's end of the
// control channel closes (the parent died or gave up on it), and SIGKILL always works.
if (threadData === undefined) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
}

new WorkerRuntime({
  channel,
  maxMessageBytes,
  now: () => clock.now(),
  openSink: openDataSink,
  exit: (code) => process.exit(code),
}).listen();
