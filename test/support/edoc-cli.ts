import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '#cli/main.ts';
import { loadTrust } from '#functions/lib/trust.ts';
import type { ValidationReport } from '#signature/report.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import { signAsLeader } from '../../scripts/demo.ts';
import type { LocalReference } from '../../scripts/local/local-reference.ts';

export interface EdocRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Runs `edoc …` in this process and returns its exit code and what it printed. */
export async function edoc(...argv: string[]): Promise<EdocRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line) => out.push(String(line)));
  const error = vi.spyOn(console, 'error').mockImplementation((line) => err.push(String(line)));
  try {
    return { code: await main(argv), out, err };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/**
 * What an agency does with the CLI against a local stack: a dev token for `issuer`, a letter its
 * leader signed uploaded to `recipient` with `edoc upload`, then (when the upload routed it)
 * `edoc download` as the recipient and the downloaded PDF validated against the stack's trust.
 */
export async function sendAndDownload(
  environment: {
    readonly api: string;
    readonly stateDir: string;
    readonly reference: LocalReference;
  },
  letter: {
    readonly issuer: string;
    readonly recipient: string;
    readonly number: string;
    readonly subject: string;
    readonly dir: string;
  },
): Promise<{ upload: EdocRun; download?: EdocRun; report?: ValidationReport }> {
  const { issuer, recipient, dir } = letter;
  const token = await edoc('dev-token', '--agency', issuer, '--state-dir', environment.stateDir);
  const pdfFile = join(dir, `signed-${letter.number}.pdf`);
  await writeFile(pdfFile, await signAsLeader(environment.reference, issuer, letter.subject));
  const upload = await edoc(
    'upload',
    pdfFile,
    '--api',
    environment.api,
    '--token',
    token.out[0] ?? '',
    '--number',
    letter.number,
    '--notation',
    'STTTT-VP',
    '--type',
    'cong-van',
    '--subject',
    letter.subject,
    '--to',
    recipient,
    '--signer-name',
    'Lãnh đạo (thử nghiệm)',
    '--signer-position',
    'Giám đốc',
  );
  const id = upload.out.find((l) => l.startsWith('ROUTED '))?.split(' ')[1];
  if (upload.code !== 0 || id === undefined) return { upload };
  const recipientToken = await edoc(
    'dev-token',
    '--agency',
    recipient,
    '--state-dir',
    environment.stateDir,
  );
  const out = join(dir, `received-${letter.number}.pdf`);
  const download = await edoc(
    'download',
    id,
    '--out',
    out,
    '--api',
    environment.api,
    '--token',
    recipientToken.out[0] ?? '',
  );
  if (download.code !== 0) return { upload, download };
  const report = validatePdf(await readFile(out), {
    ...(await loadTrust(environment.reference.trustDir)),
    validationTime: new Date(),
  });
  return { upload, download, report };
}
