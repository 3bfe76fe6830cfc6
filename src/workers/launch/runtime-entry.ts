/**
 * Where the runtime entry lives and how to start it, from sources (tests under tsx) and from the
 * build (dist/) alike: the entry is resolved next to this file with this file's own extension.
 * Child processes inherit the parent's loader flags (`--import tsx`); worker threads on Node 20
 * do not run `--import` preloads, so a thread whose entry or module is TypeScript starts from a
 * tiny bootstrap that registers tsx's loader in the thread first.
 */
import { fileURLToPath } from 'node:url';

const EXTENSION = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

export const RUNTIME_ENTRY = new URL(`../runtime/entry.${EXTENSION}`, import.meta.url);

/** Flags that must not reach a worker: the test runner's, the inspector's, the watcher's, an eval. */
const FORBIDDEN_FLAG = /^--(test|inspect|watch|eval|print|input-type|experimental-test)/;

export function isTypeScript(url: string): boolean {
  return /\.[cm]?tsx?$/.test(new URL(url).pathname);
}

/** The parent's flags minus those that do not belong in a worker (and their values). */
export function inheritedExecArgv(): string[] {
  const flags: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '-e' || flag === '-p') {
      i++;
      continue;
    }
    if (FORBIDDEN_FLAG.test(flag)) {
      if (!flag.includes('=') && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) i++;
      continue;
    }
    flags.push(flag);
  }
  return flags;
}

/** The bootstrap source for a TypeScript thread: register tsx, then import the entry. */
export function tsxThreadBootstrap(): string | undefined {
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    return undefined;
  }
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(RUNTIME_ENTRY.href)}); });`;
}

export const RUNTIME_ENTRY_PATH = fileURLToPath(RUNTIME_ENTRY);
