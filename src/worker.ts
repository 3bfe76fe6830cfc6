/**
 * `tactus/worker`: what a worker module imports (seed 002's device worker side). Its default
 * export is `defineWorker({ setup, loops, commands, teardown })`; the manager's runtime entry
 * loads it in a worker thread or a child process.
 */
export {
  defineWorker,
  type CommandDefinition,
  type CommandHandler,
  type CommandMap,
  type CommandsOf,
  type DefinedWorker,
  type LoopContext,
  type LoopDefinition,
  type WorkerContext,
  type WorkerDefinition,
  type WorkerLog,
} from './workers/runtime/define-worker.js';
export * from './workers/errors.js';
