#!/usr/bin/env node
/** The `tactus` command. */
import { runEngineDemo } from './engine-demo.js';

const USAGE = `usage: tactus <command>

commands:
  demo [--duration-ms N]   run the demo (Ctrl-C drains and exits)
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'demo') {
    const index = rest.indexOf('--duration-ms');
    const duration = index >= 0 ? Number(rest[index + 1]) : undefined;
    if (duration !== undefined && !(duration > 0)) {
      process.stderr.write(`--duration-ms must be a positive number (got ${rest[index + 1]})\n`);
      return 2;
    }
    await runEngineDemo(duration === undefined ? {} : { durationMs: duration });
    return 0;
  }
  process.stderr.write(USAGE);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

process.exitCode = await main(process.argv.slice(2));
