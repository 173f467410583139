/**
 * `npm run bench`: the cost of verifying and countersigning, as ratios against a floor measured
 * in the same run on the same machine — SHA-256 of the same bytes with node:crypto, the least
 * any verifier must do. Ratios travel between machines; milliseconds do not. Nothing here is
 * asserted: timings never gate a test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { countersignPdf } from '#signature/countersign.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import { makeOrgIdentity } from '#test/unit/countersign/signing-fixture.ts';
import { writeRevision } from '#test/unit/pdf/pdf-factory.ts';

const corpus = path.resolve(import.meta.dirname, '../../shared/corpus');
const runs = Number(process.env['BENCH_RUNS'] ?? 5);

function median(fn: () => unknown): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

async function medianAsync(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** A one-page document carrying `size` bytes in one stream, as a scanned attachment would. */
function largePdf(size: number): Buffer {
  const data = randomBytes(size);
  return writeRevision(
    Buffer.alloc(0),
    [
      [1, '<< /Type /Catalog /Pages 2 0 R >>'],
      [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
      [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>'],
      [
        4,
        Buffer.concat([
          Buffer.from(`<< /Length ${size} >>\nstream\n`),
          data,
          Buffer.from('\nendstream'),
        ]),
      ],
    ],
    { trailer: '/Root 1 0 R' },
  );
}

const rows: { name: string; bytes: number; ms: number; floor: number }[] = [];
const floorFor = (bytes: Buffer) => median(() => createHash('sha256').update(bytes).digest());

const org = makeOrgIdentity();
try {
  const trust = {
    trustAnchors: [],
    intermediates: [],
    crls: [],
    validationTime: new Date(),
    policy: DEFAULT_POLICY,
  };
  for (const mb of [1, 10, 50]) {
    const unsigned = largePdf(mb * 1024 * 1024);
    const floor = floorFor(unsigned);
    const countersign = () =>
      countersignPdf(unsigned, { signer: org.signer, certificateChain: org.chain });
    rows.push({
      name: `countersign ${mb} MB`,
      bytes: unsigned.length,
      ms: await medianAsync(countersign),
      floor,
    });
    const { pdf } = await countersign();
    rows.push({
      name: `verify ${mb} MB (1 signature)`,
      bytes: pdf.length,
      ms: median(() => validatePdf(pdf, trust)),
      floor: floorFor(pdf),
    });
  }
  for (const file of [
    'pyhanko/pdf/pades-lta-dss-indirect-arrs-test.pdf',
    'dss/pades-5-signatures-and-1-document-timestamp.pdf',
    'dss/dss-2236/annotation-and-visible-change.pdf',
  ]) {
    const bytes = readFileSync(path.join(corpus, file));
    rows.push({
      name: `verify ${path.basename(file)}`,
      bytes: bytes.length,
      ms: median(() => validatePdf(bytes, trust)),
      floor: floorFor(bytes),
    });
  }
} finally {
  org.pki.cleanup();
}

console.log(`edoc-hub benchmarks (median of ${runs} runs; floor = SHA-256 of the same bytes)\n`);
console.log(
  [
    'case'.padEnd(52),
    'size'.padStart(10),
    'ms'.padStart(9),
    'floor ms'.padStart(9),
    'ratio'.padStart(8),
  ].join(' '),
);
for (const r of rows) {
  console.log(
    [
      r.name.padEnd(52),
      `${(r.bytes / 1024).toFixed(0)} KB`.padStart(10),
      r.ms.toFixed(2).padStart(9),
      r.floor.toFixed(2).padStart(9),
      `${(r.ms / r.floor).toFixed(1)}x`.padStart(8),
    ].join(' '),
  );
}
