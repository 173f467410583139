/**
 * `npm run fuzz -- --iterations 5000 --seed 7`: the mutation fuzzer of test/robustness over as many
 * iterations as asked, in a worker that is stopped when one input keeps it silent too long (a
 * hang) or exhausts its heap. Every input that crashes, hangs or breaks a bound is written to
 * test/robustness/regressions/ (the bytes and a JSON note), where a test replays it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import * as z from 'zod';
import { DEFAULT_TIME_LIMIT_MS, REGRESSIONS_DIR } from '#test/support/fuzz-harness.ts';
import type { FuzzWorkerMessage } from '#test/support/fuzz-worker.ts';

const optionsSchema = z.object({
  iterations: z.coerce.number().int().positive().default(1_000),
  seed: z.coerce.number().int().default(1),
  from: z.coerce.number().int().nonnegative().default(0),
  'time-limit-ms': z.coerce.number().positive().default(DEFAULT_TIME_LIMIT_MS),
  /** Silence after which the worker counts as hung (it also builds a test PKI when it starts). */
  'hang-ms': z.coerce.number().positive().default(30_000),
  'heap-mb': z.coerce.number().int().positive().default(2_048),
  out: z.string().default(REGRESSIONS_DIR),
});

const { values } = parseArgs({
  options: {
    iterations: { type: 'string' },
    seed: { type: 'string' },
    from: { type: 'string' },
    'time-limit-ms': { type: 'string' },
    'hang-ms': { type: 'string' },
    'heap-mb': { type: 'string' },
    out: { type: 'string' },
  },
});
const options = optionsSchema.parse(values);
const workerFile = new URL('../test/support/fuzz-worker.ts', import.meta.url);
const end = options.from + options.iterations;

interface Started {
  readonly iteration: number;
  readonly seedName: string;
  readonly mutations: readonly string[];
  readonly bytes: Uint8Array;
}

let saved = 0;
function save(started: Started, findings: readonly { kind: string; message: string }[]): void {
  mkdirSync(options.out, { recursive: true });
  const kinds = [...new Set(findings.map((f) => f.kind))].join('-');
  const base = `${kinds}-seed${options.seed}-it${started.iteration}`;
  writeFileSync(path.join(options.out, `${base}.pdf`), started.bytes);
  const note = {
    seed: options.seed,
    iteration: started.iteration,
    seedName: started.seedName,
    mutations: started.mutations,
    findings: findings.map((f) => ({ ...f, message: f.message.split('\n')[0] })),
  };
  writeFileSync(path.join(options.out, `${base}.json`), `${JSON.stringify(note, null, 2)}\n`);
  saved++;
  console.log(`finding at iteration ${started.iteration} (${kinds}): ${base}.pdf`);
  for (const f of findings) console.log(`  ${f.message.split('\n').slice(0, 3).join('\n  ')}`);
}

/** Runs iterations [from, end) in one worker; resolves with where the next worker must resume. */
function runWorker(from: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile, {
      workerData: { seed: options.seed, from, to: end, timeLimitMs: options['time-limit-ms'] },
      resourceLimits: { maxOldGenerationSizeMb: options['heap-mb'] },
    });
    let current: Started | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (next: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(next);
    };
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (current === undefined) {
          settled = true;
          void worker.terminate();
          reject(new Error('the fuzz worker did not start'));
          return;
        }
        save(current, [{ kind: 'hang', message: `no answer in ${options['hang-ms']} ms` }]);
        finish(current.iteration + 1);
        void worker.terminate();
      }, options['hang-ms']);
    };
    watch();
    worker.on('message', (message: FuzzWorkerMessage) => {
      watch();
      if (message.type === 'start') current = message;
      else if (message.type === 'case') {
        if (message.findings.length > 0 && current) save(current, message.findings);
        if ((message.iteration + 1) % 100 === 0) {
          console.log(`${message.iteration + 1 - options.from}/${options.iterations} done`);
        }
      } else if (message.type === 'done') {
        current = undefined;
        finish(end);
      }
    });
    worker.on('error', (error) => {
      if (current === undefined || settled) {
        clearTimeout(timer);
        reject(error);
        return;
      }
      save(current, [{ kind: 'memory', message: `the worker died: ${error.message}` }]);
      finish(current.iteration + 1);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      if (current !== undefined) {
        save(current, [{ kind: 'crash', message: `the worker exited with code ${code}` }]);
        finish(current.iteration + 1);
      } else finish(end);
    });
  });
}

const started = performance.now();
for (let next = options.from; next < end; ) next = await runWorker(next);
console.log(
  `${options.iterations} iterations of seed ${options.seed} in ${Math.round((performance.now() - started) / 1000)} s; ${saved} finding(s)`,
);
if (saved > 0) {
  // The notes are JSON in the repository: leave them as `npm run lint` wants them.
  const biome = new URL('../node_modules/.bin/biome', import.meta.url).pathname;
  try {
    execFileSync(biome, ['format', '--write', options.out], { stdio: 'ignore' });
  } catch {
    console.log(`run \`npx biome format --write ${options.out}\` before committing the notes`);
  }
}
process.exitCode = saved > 0 ? 1 : 0;
