/**
 * An error as it crosses the control plane: `{ code, message }`, bounded. The code is the thrown
 * error's own `code` when it has a string one, else `fallbackCode`.
 */
export interface WireError {
  code: string;
  message: string;
}

export function toWireError(error: unknown, fallbackCode: string): WireError {
  const own = error !== null && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  const code = typeof own === 'string' && own.length > 0 ? own : fallbackCode;
  const message = error instanceof Error ? error.message : String(error);
  return { code: code.slice(0, 100), message: message.slice(0, 2000) };
}
