/**
 * The bundle part of `npm run bench` alone (`node bench/init.ts [--json]`, `BENCH_RUNS` rounds,
 * 7 by default): synthesizes the app, then imports every function's bundle in fresh Node
 * processes. Prints the load average too: init times move with it on a shared machine.
 */
import { loadavg } from 'node:os';
import { measureBundles, printBundles } from './bundles.ts';

const runs = Number(process.env['BENCH_RUNS'] ?? 7);
const before = loadavg();
const { figures, note } = measureBundles(runs);
const load = { before, after: loadavg() };
if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify({ date: new Date().toISOString(), runs, load, bundles: figures, note }),
  );
} else {
  console.log(`median of ${runs} imports; load average before ${before.join(' ')}`);
  printBundles(figures, console.log);
  if (note) console.log(note);
  console.log(
    `\nbundle_kb_max ${Math.max(...figures.map((f) => f.bundleKb)).toFixed(0)}, init_ms_max ${Math.max(...figures.map((f) => f.initMs)).toFixed(0)} (${Math.max(...figures.map((f) => f.initWithoutSourceMapsMs)).toFixed(0)} without source maps); load average after ${load.after.join(' ')}`,
  );
}
