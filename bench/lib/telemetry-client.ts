/**
 * A telemetry client for benches: a raw WebSocket client of tactus' `/ws/telemetry`, as cheap as a
 * client can be (see below), shared by the HTTP bench's fan-out and the soak.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * One telemetry client as cheap as a client can be: a raw TCP socket that upgrades, sends its
 * (masked) subscribe frames and then only counts the bytes that arrive. The clients share the
 * demo's two cores, so a WebSocket library parsing 3,000+ frames a second here would be the
 * harness's load on the loop, not the server's; the server cannot tell the difference.
 */
export async function rawTelemetryClient(origin: string, token: string, messages: readonly object[], received: { bytes: number }): Promise<Socket> {
  const { hostname, port, host } = new URL(origin);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(
    `GET /ws/telemetry HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: tactus.v1, tactus.token.${token}\r\n\r\n`,
  );
  let head = '';
  while (!head.includes('\r\n\r\n')) head += ((await once(socket, 'data')) as [Buffer])[0].toString('latin1');
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${head.split('\r\n')[0]}`);
  socket.on('data', (chunk: Buffer) => (received.bytes += chunk.length));
  for (const message of messages) socket.write(maskedTextFrame(JSON.stringify(message)));
  return socket;
}

/** A client-to-server text frame (masked, as RFC 6455 requires), payload under 126 bytes. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('control message too long for this client');
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  randomBytes(4).copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ frame[2 + (i % 4)]!;
  return frame;
}
