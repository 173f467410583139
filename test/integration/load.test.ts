import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  EXPECTED_OUTCOME,
  formatLoadReport,
  type RunningLoadTarget,
  runLoad,
  startLoadStack,
} from '../../scripts/local/load-run.ts';

/** EDOC_LOAD_DOCUMENTS documents; see the report for why the default is what it is. */
const DOCUMENTS = z.coerce
  .number()
  .int()
  .positive()
  .parse(process.env.EDOC_LOAD_DOCUMENTS ?? 200);
const AGENCIES = 4;

let target: RunningLoadTarget;
const errors: unknown[] = [];

beforeAll(async () => {
  target = await startLoadStack((error) => errors.push(error));
});

afterAll(async () => {
  await target?.stop();
});

describe('npm run load', () => {
  it(`brings ${DOCUMENTS} documents from ${AGENCIES} agencies each to the terminal state its kind calls for`, async () => {
    const lines: string[] = [];

    const report = await runLoad(target, {
      documents: DOCUMENTS,
      agencies: AGENCIES,
      print: (line) => lines.push(line),
    });

    const summary = [...lines, ...formatLoadReport(report)].join('\n');
    expect(report.mismatches, summary).toEqual([]);
    expect(report.documents).toHaveLength(DOCUMENTS);
    for (const d of report.documents) {
      expect(d.outcome, `document ${d.index + 1} (${d.kind})`).toBe(EXPECTED_OUTCOME[d.kind]);
    }
    const kinds = new Set(report.documents.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(['duplicate', 'good', 'secret', 'tampered', 'wrong-signer']);
    expect(new Set(report.documents.map((d) => d.issuer)).size).toBe(AGENCIES);
    expect(
      report.observed.ROUTED +
        report.observed.REJECTED +
        report.observed.REFUSED_422 +
        report.observed.REFUSED_409,
    ).toBe(DOCUMENTS);
    expect(report.stats?.documents.total).toBe(report.observed.ROUTED + report.observed.REJECTED);
    expect(Object.values(report.deadLettered).every((n) => n === 0)).toBe(true);
    expect(errors).toEqual([]);
  }, 600_000);
});
