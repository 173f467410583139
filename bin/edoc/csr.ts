import { writeFile } from 'node:fs/promises';
import { buildCsr, encodeName, InvalidSubjectError, toPem } from '#signature/csr.ts';
import { signerFromOptions, signerOptionSpec } from './signer-options.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/**
 * `edoc csr`: a PKCS#10 request signed by the organization key where it lives (KMS or HSM), to
 * obtain the organization certificate from the government CA. Writes PEM.
 */
export async function csrCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...signerOptionSpec,
    subject: { type: 'string' },
    out: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (values.subject === undefined || values.out === undefined) {
    throw new UsageError('--subject and --out are required');
  }
  try {
    encodeName(values.subject);
  } catch (error) {
    if (error instanceof InvalidSubjectError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  const { signer, close } = await signerFromOptions(values);
  try {
    const der = await buildCsr({ subject: values.subject, signer });
    await writeFile(values.out, toPem(der));
  } finally {
    await close();
  }
  console.log(`certificate request written to ${values.out}`);
  return 0;
}
