import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CampaignResult,
  exerciseInput,
  type FuzzEnvironment,
  makeFuzzEnvironment,
  regressionInputs,
  runCampaign,
} from '#test/support/fuzz-harness.ts';
import { fuzzCase, MUTATIONS } from '#test/support/fuzz-mutations.ts';

/** Fixed, so a failure here is reproduced by `npm run fuzz -- --seed 20190516 --from <iteration> --iterations 1`. */
const SEED = 20_190_516;
/** About 20 s on a CI runner; `npm run fuzz` runs longer campaigns. */
const ITERATIONS = Number(process.env['FUZZ_ITERATIONS'] ?? 400);

let env: FuzzEnvironment;
let campaign: CampaignResult;

beforeAll(async () => {
  env = await makeFuzzEnvironment();
  campaign = await runCampaign(env, { seed: SEED, iterations: ITERATIONS });
}, 120_000);
afterAll(() => env.cleanup());

const describeFailures = (result: CampaignResult) =>
  result.failing
    .map((c) => {
      const findings = c.outcome.findings.map((f) => `${f.kind} in ${f.target}: ${f.message}`);
      return `iteration ${c.iteration} (${c.seedName}, ${c.mutations.join('+')}): ${findings.join('; ')}`;
    })
    .join('\n');

describe('the mutation fuzzer', () => {
  it('replays an iteration from the campaign seed alone', () => {
    const a = fuzzCase(env.seeds.slice(4), 7, 123);
    const b = fuzzCase(env.seeds.slice(4), 7, 123);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.mutations).toEqual(b.mutations);
    expect(fuzzCase(env.seeds.slice(4), 8, 123).bytes.equals(a.bytes)).toBe(false);
  });

  it('applies every kind of mutation over the campaign', () => {
    const used = new Set(campaign.cases.flatMap((c) => c.mutations));
    expect([...used].sort()).toEqual([...MUTATIONS].sort());
  });

  it('reaches past the parser: inputs open, validate to a verdict and take a countersignature', () => {
    const count = (pick: (o: CampaignResult['cases'][number]['outcome']) => boolean) =>
      campaign.cases.filter((c) => pick(c.outcome)).length;
    expect(count((o) => o.open === 'opened')).toBeGreaterThan(ITERATIONS / 5);
    expect(count((o) => o.open === 'PdfFormatError')).toBeGreaterThan(ITERATIONS / 5);
    expect(count((o) => o.countersign === 'signed')).toBeGreaterThan(ITERATIONS / 5);
    expect(count((o) => o.validate !== 'TOTAL_FAILED/FORMAT_FAILURE')).toBeGreaterThan(
      ITERATIONS / 10,
    );
  });
});

describe('openPdf, validatePdf and countersignPdf under mutated input', () => {
  it('end every input in a result or a typed error, within 2 s and bounded memory', () => {
    expect(describeFailures(campaign)).toBe('');
    expect(campaign.cases).toHaveLength(ITERATIONS);
  });

  it('retain no memory across the campaign', () => {
    expect(campaign.retainedGrowthBytes).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('fuzz findings kept as regressions', () => {
  const inputs = regressionInputs();

  it('has the findings of earlier campaigns', () => {
    expect(inputs.length).toBeGreaterThan(0);
  });

  it.each(inputs.map((i) => [i.name, i] as const))(
    '%s ends in a result or a typed error',
    async (_name, input) => {
      const outcome = await exerciseInput(input.bytes, env.targets);
      expect(outcome.findings).toEqual([]);
    },
  );
});
