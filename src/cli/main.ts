#!/usr/bin/env node
/** The `tactus` command. */
import { DEMO_USAGE, demoCommand } from '../demo/cli.js';
import { HUD_USAGE, hudCommand } from './hud.js';

const USAGE = `usage: tactus <command>

commands:
${DEMO_USAGE}
${HUD_USAGE}
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'demo') return demoCommand(rest);
  if (command === 'hud') return hudCommand(rest);
  process.stderr.write(USAGE);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

process.exitCode = await main(process.argv.slice(2));
