/**
 * The worker's end of the data plane: where `ctx.publish(type, bytes)` goes. A thread writes into
 * the shared ring (allocation-free once a type name was used); a process writes frames onto its
 * data pipe in batches (./data-plane/framed-writer.ts). Both apply the spawn's overflow policy and
 * never block the loop.
 */
import { FramedPayloadWriter } from '../data-plane/framed-writer.js';
import { RingPayloadWriter } from '../data-plane/ring-channel.js';
import type { InitMessage } from '../protocol.js';
import type { DataSink } from './runtime.js';
import type { WorkerChannel } from './worker-channel.js';

export function openDataSink(init: InitMessage, channel: WorkerChannel): DataSink | undefined {
  if (channel.ring !== undefined) {
    const writer = new RingPayloadWriter(channel.ring);
    return { publish: (type, data) => writer.publish(type, data), close: () => writer.close() };
  }
  if (channel.dataSocket !== undefined) {
    const writer = new FramedPayloadWriter(channel.dataSocket, { maxDataBytes: init.data.maxBytes, overflow: init.data.overflow });
    return { publish: (type, data) => writer.publish(type, data), close: () => writer.close() };
  }
  return undefined;
}
