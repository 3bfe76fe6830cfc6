/**
 * `tactus demo`: start the lab rig, print where it is and the token, run until Ctrl-C (or
 * `--duration-ms`), then drain cleanly. A second Ctrl-C while draining exits at once.
 */
import { parseArgs } from 'node:util';
import { startLabRig, type LabRig } from './lab-rig.js';

export const DEMO_USAGE =
  '  demo [--port N] [--host H] [--allow-origin URL]... [--duration-ms N]\n' +
  '                           run the lab rig with every seed (Ctrl-C drains and exits); a --host other\n' +
  '                           than loopback needs TACTUS_TOKEN, and --allow-origin for browsers reaching it';

function banner(rig: LabRig): string {
  const token = rig.tokenGenerated ? `${rig.token}   (generated for this run; set TACTUS_TOKEN to choose one)` : `${rig.token}   (from TACTUS_TOKEN)`;
  return [
    '',
    'tactus lab rig: every seed on one runtime',
    `  dashboard  ${rig.url}`,
    `  token      ${token}`,
    `  status     curl -H "Authorization: Bearer ${rig.token}" ${rig.origin}${rig.app.tactus.prefix}/status`,
    `  metrics    ${rig.origin}/metrics (Prometheus, same token)   telemetry  ${rig.origin.replace('http', 'ws')}/ws/telemetry`,
    '  seed 000   stage.position 50 Hz, piezo.control 100 Hz (deadlines, jitter budgets, backpressure, run-now)',
    '  seed 001   perception / reasoning / memory jobs with priorities, deadlines, dependencies and resources',
    '  seed 002   force/torque sensor at 1 kHz in a worker thread, camera in a worker process, bridged to telemetry',
    '  seed 003   led.refresh, button.sample, wifi.check, ota.check (cron), maintenance.cleanup',
    '  seed 004   dashcam pipeline: 2 GPU + 2 CPU stage workers (threads), a backlog per category; the',
    '             monitor reports when everything is idle between 10 s recording sessions (every 18 s)',
    'Ctrl-C drains and exits.',
    '',
  ].join('\n');
}

/** Run the demo; resolves with the process exit code. */
export async function demoCommand(args: readonly string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let values: { port?: string; host?: string; 'allow-origin'?: string[]; 'duration-ms'?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { port: { type: 'string' }, host: { type: 'string' }, 'allow-origin': { type: 'string', multiple: true }, 'duration-ms': { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${DEMO_USAGE}\n`);
    return 2;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  const durationMs = values['duration-ms'] === undefined ? undefined : Number(values['duration-ms']);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    process.stderr.write(`--port must be an integer in 0-65535 (got ${values.port})\n`);
    return 2;
  }
  if (durationMs !== undefined && !(durationMs > 0)) {
    process.stderr.write(`--duration-ms must be a positive number (got ${values['duration-ms']})\n`);
    return 2;
  }

  let rig: LabRig;
  try {
    rig = await startLabRig({
      ...(port === undefined ? {} : { port }),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values['allow-origin'] === undefined ? {} : { allowedOrigins: values['allow-origin'] }),
    });
  } catch (error) {
    // Refusals (an exposed address without a token, a bad option, a port in use) are the operator's to fix: say so plainly.
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    process.stderr.write(`tactus demo: ${error instanceof Error ? error.message : String(error)} (${code})\n`);
    return 1;
  }
  out.write(banner(rig));
  // Seed 004: the main process learns from the monitor when the whole system is done.
  rig.monitor.on('idle', () => out.write(`monitor: idle between sessions (all workers idle, all queues empty): safe to stop | ${rig.monitor.hudLine()}\n`));
  rig.monitor.on('busy', () => out.write('monitor: busy again (a session started)\n'));
  await new Promise<void>((resolve) => {
    const timer = durationMs === undefined ? undefined : setTimeout(finish, durationMs);
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    function finish(): void {
      if (timer !== undefined) clearTimeout(timer);
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      process.once('SIGINT', () => process.exit(130));
      resolve();
    }
  });
  out.write('draining...\n');
  await rig.close();
  out.write('stopped cleanly.\n');
  return 0;
}
