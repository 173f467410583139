import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openPdf } from '#pdf/document.ts';
import { PdfFormatError } from '#pdf/errors.ts';
import { findSignatures } from '#pdf/signatures.ts';
import type { Signer } from '#ports/signer.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { CountersignError, countersignPdf } from '#signature/countersign.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { type ValidationOptions, validatePdf } from '#signature/validate-pdf.ts';
import { makeOrgIdentity } from '../unit/countersign/signing-fixture.ts';
import { makeSignedPdf } from '../unit/signature/signed-pdf.ts';
import { type FuzzCase, fuzzCase } from './fuzz-mutations.ts';
import { makeSignaturePki } from './signing-pki.ts';

export const CORPUS_DIR = path.resolve(import.meta.dirname, '../../../shared/corpus');
export const REGRESSIONS_DIR = path.resolve(import.meta.dirname, '../robustness/regressions');

/** Robustness bound for one input through all three entry points, not a performance target. */
export const DEFAULT_TIME_LIMIT_MS = 2_000;
/** Memory one input may hold while it is processed (heap + buffers), over the level before it. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;

export interface FuzzSeed {
  readonly name: string;
  readonly bytes: Buffer;
}

/** What the three entry points are run with. */
export interface FuzzTargets {
  readonly validation: Omit<ValidationOptions, 'validationTime'>;
  readonly validationTime: Date;
  readonly signer: Signer;
  readonly certificateChain: Buffer[];
}

export interface FuzzEnvironment {
  readonly seeds: readonly FuzzSeed[];
  readonly targets: FuzzTargets;
  cleanup(): void;
}

/** Corpus PDFs up to `maxBytes` (the big ones cost time, not coverage), sorted by name. */
export function corpusSeeds(maxBytes = 400_000): FuzzSeed[] {
  return readdirSync(CORPUS_DIR, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.pdf') && statSync(path.join(CORPUS_DIR, f)).size <= maxBytes)
    .sort()
    .map((f) => ({ name: `corpus/${f}`, bytes: readFileSync(path.join(CORPUS_DIR, f)) }));
}

/**
 * The corpus plus files signed here (leader signature, leader + organization signature, an
 * organization signature over an xref-stream file), so mutations reach the CMS and chain code with
 * certificates the validator trusts. The generated files carry fresh keys on each run: cases on
 * them repeat in structure, and findings are kept as bytes so that their replay is exact.
 */
export async function makeFuzzEnvironment(): Promise<FuzzEnvironment> {
  const pki = makeSignaturePki();
  const org = makeOrgIdentity();
  const targets: FuzzTargets = {
    validation: {
      trustAnchors: [pki.root.der, ...parsePemBundle(readFileSync(org.pki.rootFile, 'latin1'))],
      intermediates: [pki.intermediate.der],
      crls: [],
      policy: DEFAULT_POLICY,
    },
    validationTime: new Date(),
    signer: org.signer,
    certificateChain: org.chain,
  };
  const countersign = async (pdf: Buffer) =>
    (
      await countersignPdf(pdf, {
        signer: org.signer,
        certificateChain: org.chain,
        signingTime: targets.validationTime,
      })
    ).pdf;
  const leader = makeSignedPdf({
    sign: (content) => pki.sign({ signer: pki.rsaSigner, content, cades: true }),
    signingTime: targets.validationTime,
  });
  const leaderEc = makeSignedPdf({
    sign: (content) => pki.sign({ signer: pki.ecSigner, content, cades: true }),
    signingTime: targets.validationTime,
  });
  const xrefStream = readFileSync(path.join(CORPUS_DIR, 'pyhanko/pdf/minimal-xref.pdf'));
  const generated: FuzzSeed[] = [
    { name: 'generated/leader-rsa', bytes: leader },
    { name: 'generated/leader-ec', bytes: leaderEc },
    { name: 'generated/leader-and-organization', bytes: await countersign(leader) },
    { name: 'generated/organization-xref-stream', bytes: await countersign(xrefStream) },
  ];
  return {
    seeds: [...generated, ...corpusSeeds()],
    targets,
    cleanup: () => {
      pki.cleanup();
      org.pki.cleanup();
    },
  };
}

/** Where an input broke a promise of robustness. */
export type FindingKind = 'crash' | 'slow' | 'memory' | 'unreadable-output';

export interface Finding {
  readonly kind: FindingKind;
  readonly target: 'open' | 'validate' | 'countersign';
  readonly message: string;
}

/** How one input ended at each entry point. */
export interface InputOutcome {
  /** `opened` or the name of the typed error openPdf/findSignatures raised. */
  readonly open: string;
  /** The report's indication (and sub-indication). */
  readonly validate: string;
  /** `signed` or `CountersignError:<code>`. */
  readonly countersign: string;
  readonly elapsedMs: number;
  /** Largest rise of heap + buffer memory during one entry point. */
  readonly peakGrowthBytes: number;
  readonly findings: readonly Finding[];
}

const describeError = (error: unknown): string =>
  error instanceof Error
    ? `${error.name}: ${error.message}\n${error.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`
    : String(error);

const memoryNow = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

let collect: (() => void) | undefined;

/** A full garbage collection, so that retained memory can be measured without --expose-gc. */
export function collectGarbage(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/**
 * Feeds one input to openPdf + findSignatures (and the first objects of each revision),
 * validatePdf and countersignPdf. Each must end in a result or its typed error; the whole must
 * stay within the time and memory bounds. Everything else is a finding.
 */
export async function exerciseInput(
  bytes: Buffer,
  targets: FuzzTargets,
  limits: { timeLimitMs?: number; memoryLimitBytes?: number } = {},
): Promise<InputOutcome> {
  const findings: Finding[] = [];
  let peakGrowthBytes = 0;
  const started = performance.now();
  const measure = async <T>(run: () => T | Promise<T>): Promise<T> => {
    const before = memoryNow();
    try {
      return await run();
    } finally {
      peakGrowthBytes = Math.max(peakGrowthBytes, memoryNow() - before);
    }
  };

  let signaturesReadable = false;
  const open = await measure(() => {
    try {
      const doc = openPdf(bytes);
      findSignatures(doc);
      signaturesReadable = true;
      for (const revision of doc.revisions) {
        let budget = 200;
        for (const num of revision.entries.keys()) {
          if (--budget < 0) break;
          try {
            const o = doc.getObject(num);
            if (typeof o === 'object' && o?.kind === 'stream') doc.decodeStream(o);
          } catch (error) {
            if (!(error instanceof PdfFormatError)) throw error;
          }
        }
      }
      return 'opened';
    } catch (error) {
      if (error instanceof PdfFormatError) return error.name;
      findings.push({ kind: 'crash', target: 'open', message: describeError(error) });
      return 'crashed';
    }
  });

  const validate = await measure(() => {
    try {
      const report = validatePdf(bytes, {
        ...targets.validation,
        validationTime: targets.validationTime,
      });
      return report.subIndication
        ? `${report.indication}/${report.subIndication}`
        : report.indication;
    } catch (error) {
      findings.push({ kind: 'crash', target: 'validate', message: describeError(error) });
      return 'crashed';
    }
  });

  const countersign = await measure(async () => {
    try {
      const result = await countersignPdf(bytes, {
        signer: targets.signer,
        certificateChain: targets.certificateChain,
        signingTime: targets.validationTime,
      });
      // The output must open whatever the input was; its signatures must read when the input's did.
      const output = openPdf(result.pdf);
      const added = signaturesReadable
        ? findSignatures(output).find((f) => f.fieldName === result.fieldName)
        : undefined;
      if (signaturesReadable && added?.byteRange.join(' ') !== result.byteRange.join(' ')) {
        findings.push({
          kind: 'unreadable-output',
          target: 'countersign',
          message: `the countersigned file does not show ${result.fieldName} with its ByteRange`,
        });
      }
      return 'signed';
    } catch (error) {
      if (error instanceof CountersignError) return `CountersignError:${error.code}`;
      const kind = error instanceof PdfFormatError ? 'unreadable-output' : 'crash';
      findings.push({ kind, target: 'countersign', message: describeError(error) });
      return 'crashed';
    }
  });

  const elapsedMs = performance.now() - started;
  if (elapsedMs > (limits.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS)) {
    findings.push({
      kind: 'slow',
      target: 'open',
      message: `took ${Math.round(elapsedMs)} ms (open ${open}, validate ${validate}, countersign ${countersign})`,
    });
  }
  if (peakGrowthBytes > (limits.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES)) {
    findings.push({
      kind: 'memory',
      target: 'open',
      message: `held ${Math.round(peakGrowthBytes / 1024 / 1024)} MiB`,
    });
  }
  return { open, validate, countersign, elapsedMs, peakGrowthBytes, findings };
}

export interface CampaignCase extends FuzzCase {
  readonly iteration: number;
  readonly outcome: InputOutcome;
}

export interface CampaignResult {
  readonly cases: readonly CampaignCase[];
  /** Cases with at least one finding. */
  readonly failing: readonly CampaignCase[];
  /** Heap retained after the campaign and a full collection, over the level before it. */
  readonly retainedGrowthBytes: number;
}

/** Runs iterations [from, from + iterations) of campaign `seed` in this process. */
export async function runCampaign(
  env: Pick<FuzzEnvironment, 'seeds' | 'targets'>,
  options: {
    seed: number;
    iterations: number;
    from?: number;
    timeLimitMs?: number;
    onCase?: (c: CampaignCase) => void;
  },
): Promise<CampaignResult> {
  collectGarbage();
  const baseline = process.memoryUsage().heapUsed;
  const cases: CampaignCase[] = [];
  const from = options.from ?? 0;
  for (let iteration = from; iteration < from + options.iterations; iteration++) {
    const input = fuzzCase(env.seeds, options.seed, iteration);
    const outcome = await exerciseInput(input.bytes, env.targets, {
      ...(options.timeLimitMs === undefined ? {} : { timeLimitMs: options.timeLimitMs }),
    });
    // Keep the bytes of failing cases only: a long campaign must not hold every input.
    const kept: CampaignCase = {
      ...input,
      bytes: outcome.findings.length > 0 ? input.bytes : Buffer.alloc(0),
      iteration,
      outcome,
    };
    cases.push(kept);
    options.onCase?.(kept);
  }
  collectGarbage();
  return {
    cases,
    failing: cases.filter((c) => c.outcome.findings.length > 0),
    retainedGrowthBytes: process.memoryUsage().heapUsed - baseline,
  };
}

/** Regression inputs kept under test/robustness/regressions, by file name. */
export function regressionInputs(): FuzzSeed[] {
  return readdirSync(REGRESSIONS_DIR)
    .filter((f) => f.endsWith('.pdf'))
    .sort()
    .map((f) => ({ name: f, bytes: readFileSync(path.join(REGRESSIONS_DIR, f)) }));
}
