/**
 * The token a service starts with: the one configured (option or `TACTUS_TOKEN`), else, on a
 * loopback address only, a random one printed for the operator. Listening on any other address
 * without a configured token is refused: a token nobody chose is fine for a local demo, never for
 * a service the network can reach.
 */
import { randomBytes } from 'node:crypto';
import { parseOrThrow } from '../validation.js';
import { isLoopbackHost } from './auth.js';
import { InsecureListenError } from './errors.js';
import { tokenSchema } from './options.js';

export interface ServiceToken {
  token: string;
  /** True when it was generated here (print it); false when configured. */
  generated: boolean;
}

export function resolveServiceToken(host: string, configured: string | undefined = process.env['TACTUS_TOKEN']): ServiceToken {
  if (configured !== undefined && configured !== '') return { token: parseOrThrow(tokenSchema, configured, 'token (TACTUS_TOKEN)'), generated: false };
  if (!isLoopbackHost(host)) throw new InsecureListenError(host);
  return { token: randomBytes(24).toString('base64url'), generated: true };
}
