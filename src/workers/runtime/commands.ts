/**
 * Command dispatch in the worker: a closed table built from the definition at start. A request
 * names a command; an own entry of the table answers it, anything else is `ERR_TACTUS_UNKNOWN_COMMAND`
 * (no prototype lookups: `toString` or `__proto__` are unknown, not callable). A command with an
 * input schema gets only payloads that pass it (`ERR_TACTUS_INVALID_PAYLOAD`); a throwing handler
 * becomes `ERR_TACTUS_COMMAND_FAILED` carrying the thrown error's code, if any.
 */
import { toWireError, type WireError } from '../wire-error.js';
import type { WorkerContext } from './define-worker.js';

interface Parser {
  safeParse(input: unknown): { success: true; data: unknown } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

type Handler = (payload: unknown, ctx: WorkerContext) => unknown;

interface Entry {
  input: Parser | undefined;
  handle: Handler;
}

export type CommandOutcome = { ok: true; result: unknown } | { ok: false; error: WireError };

function isParser(value: unknown): value is Parser {
  return typeof value === 'object' && value !== null && typeof (value as Parser).safeParse === 'function';
}

export class CommandTable {
  readonly #entries = new Map<string, Entry>();

  /** Build from a definition's `commands`; throws TypeError on an entry that is neither form. */
  constructor(commands: unknown) {
    if (commands === undefined) return;
    if (commands === null || typeof commands !== 'object') throw new TypeError('commands must be an object');
    for (const [name, value] of Object.entries(commands)) {
      if (typeof value === 'function') {
        this.#entries.set(name, { input: undefined, handle: value as Handler });
      } else if (value !== null && typeof value === 'object' && typeof (value as { handle?: unknown }).handle === 'function' && isParser((value as { input?: unknown }).input)) {
        const entry = value as { input: Parser; handle: Handler };
        this.#entries.set(name, { input: entry.input, handle: entry.handle });
      } else {
        throw new TypeError(`command ${JSON.stringify(name)} must be a function or { input: zodSchema, handle(payload, ctx) }`);
      }
    }
  }

  get names(): string[] {
    return [...this.#entries.keys()];
  }

  async run(command: string, payload: unknown, ctx: WorkerContext): Promise<CommandOutcome> {
    const entry = this.#entries.get(command);
    if (entry === undefined) {
      return { ok: false, error: { code: 'ERR_TACTUS_UNKNOWN_COMMAND', message: `worker ${JSON.stringify(ctx.name)} has no command ${JSON.stringify(command.slice(0, 100))}` } };
    }
    let input = payload;
    if (entry.input !== undefined) {
      const parsed = entry.input.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue === undefined || issue.path.length === 0 ? 'payload' : `payload.${issue.path.map(String).join('.')}`;
        return { ok: false, error: { code: 'ERR_TACTUS_INVALID_PAYLOAD', message: `${command}: ${field}: ${issue?.message ?? 'invalid'}` } };
      }
      input = parsed.data;
    }
    try {
      const result = await entry.handle(input, ctx);
      return { ok: true, result: result === undefined ? null : result };
    } catch (error) {
      return { ok: false, error: toWireError(error, 'ERR_TACTUS_COMMAND_FAILED') };
    }
  }
}
