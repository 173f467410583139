/** One thread of the throughput case: verifies the same file until the deadline, counts. */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import * as z from 'zod';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { validatePdf } from '#signature/validate-pdf.ts';

const input = z
  .object({
    file: z.string(),
    rootDer: z.instanceof(Uint8Array),
    startAt: z.number(),
    ms: z.number(),
  })
  .parse(workerData);
const bytes = readFileSync(input.file);
const options = {
  trustAnchors: [Buffer.from(input.rootDer)],
  intermediates: [],
  crls: [],
  validationTime: new Date(),
  policy: DEFAULT_POLICY,
};
validatePdf(bytes, options);
while (Date.now() < input.startAt) await new Promise((r) => setTimeout(r, 1));
const deadline = input.startAt + input.ms;
let documents = 0;
let indication = '';
while (Date.now() < deadline) {
  indication = validatePdf(bytes, options).indication;
  documents++;
}
parentPort?.postMessage({ documents, indication });
