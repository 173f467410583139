import { parentPort, workerData } from 'node:worker_threads';
import * as z from 'zod';
import { exerciseInput, makeFuzzEnvironment } from './fuzz-harness.ts';
import { fuzzCase } from './fuzz-mutations.ts';

/** What scripts/fuzz.ts hands a worker: iterations [from, to) of campaign `seed`. */
export const fuzzWorkerInput = z.object({
  seed: z.number().int(),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  timeLimitMs: z.number().positive(),
});

/**
 * Messages from the worker. `start` carries the input before it runs, so that the parent, which
 * stops a worker that stays silent too long, still holds the input that hung it.
 */
export type FuzzWorkerMessage =
  | { type: 'ready' }
  | {
      type: 'start';
      iteration: number;
      seedName: string;
      mutations: readonly string[];
      bytes: Uint8Array;
    }
  | {
      type: 'case';
      iteration: number;
      summary: string;
      findings: readonly { kind: string; target: string; message: string }[];
    }
  | { type: 'done' };

const port = parentPort;
if (port !== null) {
  const input = fuzzWorkerInput.parse(workerData);
  const post = (message: FuzzWorkerMessage) => port.postMessage(message);
  const env = await makeFuzzEnvironment();
  post({ type: 'ready' });
  for (let iteration = input.from; iteration < input.to; iteration++) {
    const c = fuzzCase(env.seeds, input.seed, iteration);
    post({
      type: 'start',
      iteration,
      seedName: c.seedName,
      mutations: c.mutations,
      bytes: new Uint8Array(c.bytes),
    });
    const outcome = await exerciseInput(c.bytes, env.targets, { timeLimitMs: input.timeLimitMs });
    post({
      type: 'case',
      iteration,
      summary: `${outcome.open} | ${outcome.validate} | ${outcome.countersign} | ${Math.round(outcome.elapsedMs)} ms`,
      findings: outcome.findings,
    });
  }
  env.cleanup();
  post({ type: 'done' });
}
