import { KMSClient } from '@aws-sdk/client-kms';
import { KmsSigner } from '#adapters/kms-signer.ts';
import { SIGNATURE_ALGORITHMS } from '#ports/signature-algorithms.ts';
import type { SignatureAlgorithm, Signer } from '#ports/signer.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { Pkcs11Signer } from '#signature/signers/pkcs11-signer.ts';
import { readInputFile, UsageError } from './usage.ts';

/** The options every signing command accepts, for `parseCommandArgs`. */
export const signerOptionSpec = {
  key: { type: 'string' },
  'kms-key-id': { type: 'string' },
  'pkcs11-module': { type: 'string' },
  'pkcs11-token': { type: 'string' },
  'pkcs11-pin': { type: 'string' },
  'pkcs11-key': { type: 'string' },
  algorithm: { type: 'string' },
} as const;

type SignerValues = { [K in keyof typeof signerOptionSpec]?: string | undefined };

function parseAlgorithm(value: string | undefined): SignatureAlgorithm | undefined {
  if (value === undefined) return undefined;
  const found = SIGNATURE_ALGORITHMS.find((a) => a === value);
  if (!found) {
    throw new UsageError(`--algorithm must be one of ${SIGNATURE_ALGORITHMS.join(', ')}`);
  }
  return found;
}

/**
 * The signer chosen on the command line: exactly one of a PKCS#8 key file (development), a KMS
 * key, or a PKCS#11 token key. `close` releases an HSM session.
 */
export async function signerFromOptions(
  values: SignerValues,
): Promise<{ signer: Signer; close: () => Promise<void> }> {
  const algorithm = parseAlgorithm(values.algorithm);
  const pkcs11 = values['pkcs11-module'] !== undefined;
  const chosen = [values.key !== undefined, values['kms-key-id'] !== undefined, pkcs11];
  if (chosen.filter(Boolean).length !== 1) {
    throw new UsageError('give exactly one of --key, --kms-key-id or --pkcs11-module');
  }
  if (values.key !== undefined) {
    const signer = new FileSigner(await readInputFile(values.key), algorithm);
    return { signer, close: async () => undefined };
  }
  if (values['kms-key-id'] !== undefined) {
    const signer = new KmsSigner(
      new KMSClient({}),
      values['kms-key-id'],
      algorithm ?? 'RSASSA_PKCS1_V1_5_SHA_256',
    );
    return { signer, close: async () => undefined };
  }
  const library = values['pkcs11-module'] ?? '';
  const tokenLabel = values['pkcs11-token'];
  const pin = values['pkcs11-pin'];
  const keyLabel = values['pkcs11-key'];
  if (tokenLabel === undefined || pin === undefined || keyLabel === undefined) {
    throw new UsageError('--pkcs11-module needs --pkcs11-token, --pkcs11-pin and --pkcs11-key');
  }
  const signer = Pkcs11Signer.open({
    library,
    tokenLabel,
    pin,
    keyLabel,
    algorithm: algorithm ?? 'RSASSA_PKCS1_V1_5_SHA_256',
  });
  return { signer, close: () => signer.close() };
}
