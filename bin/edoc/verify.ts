import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { parsePemBundle } from '#signature/certificates.ts';
import { DEFAULT_POLICY, type ValidationPolicy } from '#signature/policy.ts';
import type { ValidationReport } from '#signature/report.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import { parseCommandArgs, readInputFile, UsageError } from './usage.ts';

const PolicyFileSchema = z
  .object({
    acceptedDigests: z.array(z.enum(['sha1', 'sha256', 'sha384', 'sha512'])).optional(),
    minRsaBits: z.number().int().min(1024).optional(),
    requireTimestamp: z.boolean().optional(),
    requireRevocationData: z.boolean().optional(),
  })
  .strict();

async function readPems(paths: readonly string[]): Promise<Buffer[]> {
  const all: Buffer[] = [];
  for (const p of paths) {
    const certs = parsePemBundle((await readInputFile(p)).toString('latin1'));
    if (certs.length === 0) throw new UsageError(`${p} holds no PEM certificate`);
    all.push(...certs);
  }
  return all;
}

async function readPolicy(path: string | undefined): Promise<ValidationPolicy> {
  if (path === undefined) return DEFAULT_POLICY;
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new UsageError(`cannot read policy ${path}`, { cause: error });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`policy ${path} is not JSON`, { cause: error });
  }
  const parsed = PolicyFileSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`invalid policy ${path}: ${parsed.error.message}`);
  return { ...DEFAULT_POLICY, ...parsed.data };
}

/** `edoc verify`: exit 0 when TOTAL_PASSED, 1 otherwise, 2 for usage errors. */
export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    trust: { type: 'string', multiple: true },
    intermediate: { type: 'string', multiple: true },
    crl: { type: 'string', multiple: true },
    at: { type: 'string' },
    policy: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw new UsageError('expected exactly one PDF file');
  }
  const validationTime = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(validationTime.getTime()))
    throw new UsageError(`--at is not a time: ${values.at}`);

  const bytes = await readInputFile(positionals[0]);
  const crls: Buffer[] = [];
  for (const p of values.crl ?? []) crls.push(await readInputFile(p));
  const report = validatePdf(bytes, {
    trustAnchors: await readPems(values.trust ?? []),
    intermediates: await readPems(values.intermediate ?? []),
    crls,
    validationTime,
    policy: await readPolicy(values.policy),
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.indication === 'TOTAL_PASSED' ? 0 : 1;
}

function formatReport(report: ValidationReport): string {
  const lines = [
    `${report.indication}${report.subIndication ? ` / ${report.subIndication}` : ''}`,
    `revisions: ${report.revisions}, signatures: ${report.signatures.length}, validated at ${report.validationTime}`,
    ...report.reasons.map((r) => `  ! ${r}`),
  ];
  for (const s of report.signatures) {
    lines.push(
      '',
      `[${s.fieldName}] ${s.kind} ${s.subFilter ?? ''}`.trimEnd(),
      `  verdict:   ${s.indication}${s.subIndication ? ` / ${s.subIndication}` : ''}`,
      `  signer:    ${s.signer?.subject ?? 'unknown'}`,
      `  time:      ${s.signingTime ?? 'none'} (${s.signingTimeSource})`,
      `  algorithm: ${s.digestAlgorithm ?? '?'} / ${s.signatureAlgorithm ?? '?'}`,
      `  coverage:  [${s.coverage.byteRange.join(' ')}]${s.coverage.coversWholeFile ? ' whole file' : ` revision ${s.coverage.revision ?? '?'}`}`,
    );
    if (s.modifications) {
      lines.push(
        `  changes after signing: ${s.modifications.level}${s.modifications.allowed ? '' : ' (not allowed)'}`,
      );
    }
    if (s.chain.length > 0) lines.push(`  chain:     ${s.chain.join(' → ')}`);
    for (const r of s.reasons) lines.push(`  - ${r}`);
  }
  return lines.join('\n');
}
