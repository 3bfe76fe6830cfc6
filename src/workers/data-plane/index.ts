/** The data plane (issue 4, seed 002): payload records between device workers and the parent, and the bridge that republishes them. */
export { SharedRing, type OverflowPolicy, type RingCounters, type RingRecord, type SharedRingOptions } from '../../queue/ring-buffer.js';
export { MAX_PAYLOAD_TYPE_BYTES, assertPayloadType, type WorkerPayload } from './payload.js';
export { payloadNow } from './timeline.js';
export { PayloadTypeTable, type PayloadTypeTableOptions } from './type-table.js';
export type { PayloadSource, PayloadSourceCounters } from './payload-source.js';
export {
  RingPayloadSource,
  RingPayloadWriter,
  createRingChannel,
  type RingChannelInit,
  type RingChannelOptions,
  type RingPayloadWriterOptions,
} from './ring-channel.js';
export { FRAME_HEADER_BYTES, FrameDecoder, frameLength, writeFrame, type FrameDecoderOptions } from './frame-codec.js';
export {
  DATA_PIPE_FD,
  DEFAULT_MAX_FRAME_DATA_BYTES,
  FramedPayloadWriter,
  type FramedPayloadWriterOptions,
  type FramedWriterCounters,
} from './framed-writer.js';
export { FramedPayloadSource, type FramedPayloadSourceOptions } from './framed-source.js';
export { PayloadReader, type PayloadCounters, type PayloadReaderOptions } from './payload-reader.js';
export {
  createBridge,
  type Bridge,
  type BridgeMessage,
  type BridgeOptions,
  type BridgeStats,
  type DecoderMap,
  type PayloadDecoder,
  type PayloadEventSource,
  type TopicStats,
  type TopicValue,
} from '../bridge.js';
