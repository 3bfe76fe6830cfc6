/**
 * `tactus hud`: print the HUD line (seed 004) of a running tactus service, such as `tactus demo`,
 * once per interval. It reads `GET {url}/status` with the service's bearer token (`--token` or
 * `TACTUS_TOKEN`) and prints the monitor's `hud` field; it only reads, never steers. An
 * unreachable service is reported and retried; a refused token ends the command.
 */
import { setInterval as every } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const HUD_USAGE =
  '  hud [--url URL] [--token T] [--interval-ms N] [--count N]\n' +
  "                           print a running service's HUD line once per interval (default the demo at\n" +
  '                           http://127.0.0.1:7070/tactus, every 1000 ms; token: --token or TACTUS_TOKEN)';

const DEFAULT_URL = 'http://127.0.0.1:7070/tactus';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const argsSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  token: z.string().regex(/^[A-Za-z0-9._~-]{16,256}$/, 'must be 16-256 characters of letters, digits and -._~').optional(),
  intervalMs: z.number().int().min(100).max(3_600_000),
  count: z.number().int().positive().optional(),
});

type HudArgs = z.infer<typeof argsSchema>;

type Reading = { hud: string } | { error: string; fatal: boolean };

async function readHud(args: HudArgs, signal: AbortSignal): Promise<Reading> {
  let response: Response;
  try {
    response = await fetch(`${args.url.replace(/\/+$/, '')}/status`, {
      headers: args.token === undefined ? {} : { authorization: `Bearer ${args.token}` },
      signal: AbortSignal.any([signal, AbortSignal.timeout(Math.max(1000, args.intervalMs))]),
    });
  } catch (error) {
    return { error: `cannot reach ${args.url}: ${error instanceof Error ? error.message : String(error)}`, fatal: false };
  }
  if (response.status === 401 || response.status === 403) {
    return { error: `${args.url} refused the token (HTTP ${response.status}): pass --token or set TACTUS_TOKEN`, fatal: true };
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (!response.ok || length > MAX_BODY_BYTES) {
    await response.body?.cancel();
    return { error: `${args.url}/status answered HTTP ${response.status}`, fatal: false };
  }
  const body = (await response.json().catch(() => null)) as { hud?: unknown } | null;
  if (typeof body?.hud === 'string') return { hud: body.hud };
  return { hud: '(this service has no monitor)' };
}

/** Run `tactus hud`; resolves with the process exit code. Stops on `signal` (SIGINT / SIGTERM by default). */
export async function hudCommand(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr, signal?: AbortSignal): Promise<number> {
  let args: HudArgs;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { url: { type: 'string' }, token: { type: 'string' }, 'interval-ms': { type: 'string' }, count: { type: 'string' } },
      strict: true,
    });
    const token = values.token ?? process.env['TACTUS_TOKEN'];
    const parsed = argsSchema.safeParse({
      url: values.url ?? DEFAULT_URL,
      intervalMs: Number(values['interval-ms'] ?? 1000),
      ...(token === undefined || token === '' ? {} : { token }),
      ...(values.count === undefined ? {} : { count: Number(values.count) }),
    });
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${String(i.path[0]).replace('intervalMs', 'interval-ms')}: ${i.message}`).join('; '));
    args = parsed.data;
  } catch (error) {
    err.write(`${error instanceof Error ? error.message : String(error)}\n${HUD_USAGE}\n`);
    return 2;
  }

  const controller = new AbortController();
  const stop = (): void => controller.abort();
  signal?.addEventListener('abort', stop, { once: true });
  if (signal === undefined) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  let printed = 0;
  let lastError: string | undefined;
  const ticks = every(args.intervalMs, undefined, { signal: controller.signal });
  try {
    do {
      const reading = await readHud(args, controller.signal);
      if (controller.signal.aborted) return 0;
      if ('hud' in reading) {
        out.write(`${reading.hud}\n`);
        lastError = undefined;
        if (args.count !== undefined && ++printed >= args.count) return 0;
      } else {
        if (reading.error !== lastError) err.write(`${reading.error}\n`); // once per distinct problem
        lastError = reading.error;
        if (reading.fatal) return 1;
      }
    } while (!(await ticks.next()).done);
    return 0;
  } catch (error) {
    if (controller.signal.aborted) return 0;
    throw error;
  } finally {
    await ticks.return?.();
    signal?.removeEventListener('abort', stop);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
