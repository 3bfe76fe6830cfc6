/**
 * The worker's end of the data plane: where `ctx.publish(type, bytes)` goes.
 */
import type { InitMessage } from '../protocol.js';
import type { DataSink } from './runtime.js';
import type { WorkerChannel } from './worker-channel.js';

export function openDataSink(_init: InitMessage, _channel: WorkerChannel): DataSink | undefined {
  return undefined;
}
