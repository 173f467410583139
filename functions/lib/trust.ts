import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parsePemBundle } from '#signature/certificates.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import type { ValidationOptions } from '#signature/validate-pdf.ts';

async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort().map((f) => path.join(dir, f));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
}

const pemToDer = (pem: string): Buffer | undefined => {
  const body = /-----BEGIN X509 CRL-----([^-]+)-----END/.exec(pem)?.[1];
  return body === undefined ? undefined : Buffer.from(body.replace(/\s+/g, ''), 'base64');
};

/**
 * The trust the verify step judges against, from files deployed with the function (CDK copies
 * `config/trust/` into the bundle): `anchors/*.pem` (root CAs, e.g. the Government CA of Ban Cơ
 * yếu Chính phủ), `intermediates/*.pem`, `crls/*` (DER or PEM). A missing folder means no trust:
 * every upload ends INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND, which rejects it with that reason.
 */
export async function loadTrust(dir: string): Promise<Omit<ValidationOptions, 'validationTime'>> {
  const pems = async (sub: string) => {
    const out: Buffer[] = [];
    for (const f of await filesIn(path.join(dir, sub))) {
      out.push(...parsePemBundle(await readFile(f, 'latin1')));
    }
    return out;
  };
  const crls: Buffer[] = [];
  for (const f of await filesIn(path.join(dir, 'crls'))) {
    const bytes = await readFile(f);
    crls.push(pemToDer(bytes.toString('latin1')) ?? bytes);
  }
  return {
    trustAnchors: await pems('anchors'),
    intermediates: await pems('intermediates'),
    crls,
    policy: DEFAULT_POLICY,
  };
}
