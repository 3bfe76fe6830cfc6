/**
 * `GET /ws/telemetry`: the upgrade passes the guard first (Origin allow-list, token in the
 * `Authorization` header or as a `tactus.token.<token>` subprotocol), then the connection cap;
 * a refused upgrade gets a plain HTTP error response and never becomes a socket. Clients send
 * only small text control frames: binary or oversized frames close the socket.
 */
import type { FastifyInstance } from 'fastify';
import '@fastify/websocket';
import { TooManyClientsError } from '../errors.js';
import type { TelemetryHub } from './hub.js';

export interface TelemetryRouteOptions {
  path: string;
  maxClients: number;
  maxMessageBytes: number;
}

/** WebSocket close codes used. */
const CLOSE = { unsupported: 1003, policy: 1008, tooBig: 1009, tryLater: 1013 } as const;

export function registerTelemetryRoute(scope: FastifyInstance, hub: TelemetryHub, options: TelemetryRouteOptions): void {
  scope.get(
    options.path,
    {
      websocket: true,
      onRequest: async () => {
        if (hub.clientCount >= options.maxClients) throw new TooManyClientsError(options.maxClients);
      },
    },
    (socket, request) => {
      if (hub.clientCount >= options.maxClients) {
        socket.close(CLOSE.tryLater, 'too many clients');
        return;
      }
      const client = hub.connect(socket, request.raw.socket);
      socket.on('message', (data, isBinary) => {
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        if (isBinary) socket.close(CLOSE.unsupported, 'text control frames only');
        else if (bytes.byteLength > options.maxMessageBytes) socket.close(CLOSE.tooBig, 'control frame too large');
        else if (!hub.handleMessage(client, bytes.toString('utf8'))) socket.close(CLOSE.policy, 'too many control messages');
      });
      socket.on('close', () => hub.disconnect(client));
    },
  );
}
