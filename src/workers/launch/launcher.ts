/** The default launcher: a thread or a process, by the request's isolation. */
import type { Launcher } from './connection.js';
import { launchProcess } from './process-launcher.js';
import { launchThread } from './thread-launcher.js';

export const defaultLauncher: Launcher = (request, events) =>
  request.isolation === 'thread' ? launchThread(request, events) : launchProcess(request, events);
