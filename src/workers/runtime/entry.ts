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

new WorkerRuntime({
  channel,
  maxMessageBytes,
  now: () => clock.now(),
  openSink: openDataSink,
  exit: (code) => process.exit(code),
}).listen();
