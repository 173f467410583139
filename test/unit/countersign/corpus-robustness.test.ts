import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CountersignError, countersignPdf } from '#signature/countersign.ts';
import { checkSignature, makeOrgIdentity } from './signing-fixture.ts';

const corpus = path.resolve(import.meta.dirname, '../../../../shared/corpus');
const files = readdirSync(corpus, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.pdf'))
  .sort();

const org = makeOrgIdentity();
afterAll(() => org.pki.cleanup());

describe('countersignPdf over the whole corpus', () => {
  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files)('%s: a valid new signature or a typed refusal, nothing else', async (file) => {
    const input = readFileSync(path.join(corpus, file));

    const outcome = await countersignPdf(input, {
      signer: org.signer,
      certificateChain: org.chain,
    }).catch((error: unknown) => ({ error }));

    if ('error' in outcome) {
      expect(outcome.error).toBeInstanceOf(CountersignError);
      return;
    }
    expect(outcome.pdf.subarray(0, input.length).equals(input)).toBe(true);
    const added = checkSignature(outcome.pdf, outcome.fieldName);
    expect(added?.coverage.problems).toEqual([]);
    expect(added?.cms.messageDigest).toBe('match');
    expect(added?.cms.signatureValue).toBe('valid');
  });
});
