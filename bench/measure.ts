/** Timing helpers shared by the bench scripts. */

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export async function timeMs(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export interface Paired {
  readonly floorMs: number;
  readonly ms: number;
}

/**
 * Medians of a case and its floor, run alternately after one warm-up of each, so that load from
 * other processes falls on both alike.
 */
export async function paired(
  runs: number,
  floor: () => unknown,
  subject: () => unknown,
): Promise<Paired> {
  await floor();
  await subject();
  const floors: number[] = [];
  const subjects: number[] = [];
  for (let i = 0; i < runs; i++) {
    floors.push(await timeMs(floor));
    subjects.push(await timeMs(subject));
  }
  return { floorMs: median(floors), ms: median(subjects) };
}

export async function medianMs(runs: number, fn: () => unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeMs(fn));
  return median(times);
}
