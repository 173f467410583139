/**
 * `npm run bench` (`-- --json` for one JSON object): every judged figure is a ratio against a
 * floor or a peer measured in the same run on the same machine; milliseconds are printed too but
 * do not travel between machines. Nothing here is asserted: timings never gate a test.
 *
 * - floor: read the file from disk and SHA-256 it with node:crypto, the least any verifier does;
 * - peer: poppler's `pdfsig` verifying the same file, process start included;
 * - inputs: PDFs of 100 KB to 50 MB signed by `pdfsig -add-signature` under a test PKI, and the
 *   corpus; the Lambda bundles as `buildApp` synthesizes them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as z from 'zod';
import { countersignPdf } from '#signature/countersign.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import { makeNssDb } from '#test/support/nss-db.ts';
import { makeSignaturePki } from '#test/support/signing-pki.ts';
import { makeOrgIdentity } from '#test/unit/countersign/signing-fixture.ts';
import { writeRevision } from '#test/unit/pdf/pdf-factory.ts';
import { type BundleFigure, measureBundles, printBundles } from './bundles.ts';
import { medianMs, paired } from './measure.ts';

const json = process.argv.includes('--json');
const runs = Number(process.env['BENCH_RUNS'] ?? 7);
const log = (line: string) => {
  if (!json) console.log(line);
};
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
const corpus = path.resolve(import.meta.dirname, '../../shared/corpus');

const SIZES = [
  { label: '100kb', bytes: 100 * 1024 },
  { label: '1mb', bytes: 1024 * 1024 },
  { label: '10mb', bytes: 10 * 1024 * 1024 },
  { label: '50mb', bytes: 50 * 1024 * 1024 },
] as const;

/** A one-page document carrying `size` bytes in one stream, as a scanned attachment would. */
function largePdf(size: number): Buffer {
  const body = Math.max(0, size - 600);
  return writeRevision(
    Buffer.alloc(0),
    [
      [1, '<< /Type /Catalog /Pages 2 0 R >>'],
      [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
      [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>'],
      [
        4,
        Buffer.concat([
          Buffer.from(`<< /Length ${body} >>\nstream\n`),
          randomBytes(body),
          Buffer.from('\nendstream'),
        ]),
      ],
    ],
    { trailer: '/Root 1 0 R' },
  );
}

const dir = mkdtempSync(path.join(tmpdir(), 'edoc-bench-'));
const pki = makeSignaturePki();
const org = makeOrgIdentity();
const kbOf = (file: string) => Math.round(statSync(file).size / 1024);
const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

const figures: Record<string, number> = {};
const absolute: Record<string, number> = {};
const rows: { case: string; kb: number; ms: number; versus: string; peerMs: number }[] = [];
let bundles: BundleFigure[] = [];
let bundleNote: string | undefined;

try {
  progress('building the NSS database and the signed inputs');
  const nssdb = makeNssDb(dir, pki);

  const files = new Map<string, { unsigned: string; signed: string }>();
  for (const size of SIZES) {
    const unsigned = path.join(dir, `unsigned-${size.label}.pdf`);
    const signed = path.join(dir, `signed-${size.label}.pdf`);
    writeFileSync(unsigned, largePdf(size.bytes));
    run('pdfsig', ['-nssdir', nssdb, '-add-signature', '-nick', 'signer', unsigned, signed]);
    files.set(size.label, { unsigned, signed });
  }
  const trust = {
    trustAnchors: [pki.root.der],
    intermediates: [],
    crls: [],
    validationTime: new Date(),
    policy: DEFAULT_POLICY,
  };
  const floor = (file: string) => () => createHash('sha256').update(readFileSync(file)).digest();

  for (const size of SIZES) {
    const file = files.get(size.label)?.signed ?? '';
    progress(`verify ${size.label}`);
    const verdict = validatePdf(readFileSync(file), trust).indication;
    if (verdict !== 'TOTAL_PASSED') throw new Error(`verify ${size.label}: ${verdict}`);
    const verify = await paired(runs, floor(file), () => validatePdf(readFileSync(file), trust));
    const pdfsig = await medianMs(runs, () => {
      const r = spawnSync('pdfsig', ['-nssdir', nssdb, '-no-ocsp', file], { encoding: 'utf8' });
      if (!r.stdout.includes('Signature is Valid')) throw new Error(`pdfsig: ${r.stdout}`);
    });
    figures[`verify_over_floor_${size.label}`] = verify.ms / verify.floorMs;
    figures[`speedup_vs_pdfsig_${size.label}`] = pdfsig / verify.ms;
    absolute[`verify_ms_${size.label}`] = verify.ms;
    absolute[`floor_ms_${size.label}`] = verify.floorMs;
    absolute[`pdfsig_ms_${size.label}`] = pdfsig;
    rows.push({
      case: `verify ${size.label}`,
      kb: kbOf(file),
      ms: verify.ms,
      versus: 'floor',
      peerMs: verify.floorMs,
    });
    rows.push({
      case: `verify ${size.label}`,
      kb: kbOf(file),
      ms: verify.ms,
      versus: 'pdfsig',
      peerMs: pdfsig,
    });
  }

  progress('verify throughput, all cores');
  const threads = availableParallelism();
  const durationMs = 3000;
  const startAt = Date.now() + 1500;
  const counts = await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(new URL('./verify-worker.ts', import.meta.url), {
        workerData: {
          file: files.get('100kb')?.signed,
          rootDer: pki.root.der,
          startAt,
          ms: durationMs,
        },
      });
      return new Promise<number>((resolve, reject) => {
        worker.once('message', (m: unknown) => {
          const r = z.object({ documents: z.number(), indication: z.string() }).parse(m);
          if (r.indication !== 'TOTAL_PASSED') reject(new Error(`worker: ${r.indication}`));
          resolve(r.documents);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
  figures['verify_docs_per_s_100kb'] = counts.reduce((a, b) => a + b, 0) / (durationMs / 1000);
  absolute['verify_threads'] = threads;

  const keyFile = path.join(dir, 'org-key.pem');
  const chainFile = path.join(dir, 'org-chain.json');
  writeFileSync(keyFile, org.keyPem);
  writeFileSync(chainFile, JSON.stringify(org.chain.map((c) => c.toString('base64'))));
  for (const size of SIZES) {
    const file = files.get(size.label)?.signed ?? '';
    progress(`countersign ${size.label}`);
    const sign = () =>
      countersignPdf(readFileSync(file), { signer: org.signer, certificateChain: org.chain });
    const countersign = await paired(runs, floor(file), sign);
    // The least a countersigner returning the whole output as one new buffer must do.
    const copyFloor = await medianMs(runs, () => {
      const input = readFileSync(file);
      const output = Buffer.allocUnsafe(input.length + 16 * 1024);
      input.copy(output);
      return createHash('sha256').update(output.subarray(0, input.length)).digest();
    });
    figures[`countersign_over_floor_${size.label}`] = countersign.ms / countersign.floorMs;
    figures[`countersign_over_copy_floor_${size.label}`] = countersign.ms / copyFloor;
    absolute[`countersign_copy_floor_ms_${size.label}`] = copyFloor;
    absolute[`countersign_ms_${size.label}`] = countersign.ms;
    rows.push({
      case: `countersign ${size.label}`,
      kb: kbOf(file),
      ms: countersign.ms,
      versus: 'floor',
      peerMs: countersign.floorMs,
    });
    const rss = spawnSync(
      process.execPath,
      [path.join(import.meta.dirname, 'countersign-rss.ts'), file, keyFile, chainFile],
      { encoding: 'utf8' },
    );
    const m = z
      .object({ inputBytes: z.number(), before: z.number(), peak: z.number() })
      .parse(JSON.parse(rss.stdout));
    figures[`countersign_rss_over_input_${size.label}`] = (m.peak - m.before) / m.inputBytes;
    absolute[`countersign_rss_growth_mb_${size.label}`] = (m.peak - m.before) / 2 ** 20;
  }

  for (const file of [
    'pyhanko/pdf/pades-lta-dss-indirect-arrs-test.pdf',
    'dss/pades-5-signatures-and-1-document-timestamp.pdf',
    'dss/dss-2236/annotation-and-visible-change.pdf',
  ]) {
    progress(`verify ${path.basename(file)}`);
    const full = path.join(corpus, file);
    const r = await paired(runs, floor(full), () => validatePdf(readFileSync(full), trust));
    rows.push({
      case: `verify ${path.basename(file)}`,
      kb: kbOf(full),
      ms: r.ms,
      versus: 'floor',
      peerMs: r.floorMs,
    });
  }

  progress('synthesizing the app and importing each bundle');
  ({ figures: bundles, note: bundleNote } = measureBundles(Math.max(3, Math.ceil(runs / 2))));
  figures['bundle_kb_max'] = Math.max(...bundles.map((b) => b.bundleKb));
  figures['init_ms_max'] = Math.max(...bundles.map((b) => b.initMs));
  absolute['init_ms_max_without_source_maps'] = Math.max(
    ...bundles.map((b) => b.initWithoutSourceMapsMs),
  );
} finally {
  pki.cleanup();
  org.pki.cleanup();
  rmSync(dir, { recursive: true, force: true });
}

/** Targets of issue #11; a ratio is met when it is at or under the bound (`min`: at or over). */
const TARGETS: Record<string, { bound: number; min?: true }> = {
  verify_over_floor_10mb: { bound: 1.3 },
  verify_over_floor_50mb: { bound: 1.3 },
  speedup_vs_pdfsig_100kb: { bound: 5, min: true },
  speedup_vs_pdfsig_10mb: { bound: 2, min: true },
  countersign_over_floor_50mb: { bound: 1.5 },
  countersign_rss_over_input_50mb: { bound: 1.5 },
  bundle_kb_max: { bound: 1024 },
  init_ms_max: { bound: 300 },
};
const met = (key: string, value: number) => {
  const t = TARGETS[key];
  if (!t) return undefined;
  return t.min ? value >= t.bound : value <= t.bound;
};

if (json) {
  const targets = Object.fromEntries(
    Object.entries(TARGETS).map(([k, t]) => [
      k,
      {
        [t.min ? 'min' : 'max']: t.bound,
        value: figures[k],
        met: met(k, figures[k] ?? Number.NaN),
      },
    ]),
  );
  console.log(
    JSON.stringify({
      date: new Date().toISOString(),
      runs,
      load_average: loadavg(),
      ...figures,
      targets,
      absolute,
      cases: rows,
      bundles,
      ...(bundleNote === undefined ? {} : { bundle_note: bundleNote }),
    }),
  );
} else {
  log(`edoc-hub benchmarks (median of ${runs} runs; floor = read the file + SHA-256)`);
  log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  log(
    `${'case'.padEnd(44)} ${'KB'.padStart(7)} ${'ms'.padStart(9)} ${'versus'.padStart(8)} ${'ms'.padStart(9)} ${'ratio'.padStart(6)}`,
  );
  for (const r of rows) {
    log(
      `${r.case.padEnd(44)} ${String(r.kb).padStart(7)} ${r.ms.toFixed(1).padStart(9)} ${r.versus.padStart(8)} ${r.peerMs.toFixed(1).padStart(9)} ${(r.ms / r.peerMs).toFixed(2).padStart(6)}`,
    );
  }
  printBundles(bundles, log);
  if (bundleNote) log(bundleNote);
  log('\nfigures (target in brackets)');
  for (const [key, value] of Object.entries(figures)) {
    const t = TARGETS[key];
    const verdict = t
      ? ` [${t.min ? '≥' : '≤'} ${t.bound}: ${met(key, value) ? 'met' : 'NOT met'}]`
      : '';
    log(`  ${key.padEnd(36)} ${value.toFixed(2).padStart(9)}${verdict}`);
  }
  log('\nabsolute (not judged)');
  for (const [key, value] of Object.entries(absolute))
    log(`  ${key.padEnd(36)} ${value.toFixed(1).padStart(9)}`);
}
