import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import forge from 'node-forge';

/** Whether `openssl req -verify` accepts the CSR's self-signature. */
export function opensslVerifiesCsr(pem: string): boolean {
  const dir = mkdtempSync(path.join(tmpdir(), 'edoc-csr-'));
  try {
    writeFileSync(path.join(dir, 'req.pem'), pem);
    execFileSync('openssl', ['req', '-in', 'req.pem', '-verify', '-noout'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CSR as node-forge reads it: its verdict on the signature, subject and public key. */
export function forgeReadCsr(pem: string): {
  verified: boolean;
  organization: string | undefined;
  country: string | undefined;
  publicKeyPem: string;
} {
  const csr = forge.pki.certificationRequestFromPem(pem);
  const field = (shortName: string): string | undefined => {
    const value = csr.subject.getField(shortName)?.value;
    // forge keeps UTF8String values as their UTF-8 bytes in a binary string.
    return typeof value === 'string' ? forge.util.decodeUtf8(value) : undefined;
  };
  if (csr.publicKey === null) throw new Error('the CSR has no public key');
  return {
    verified: csr.verify(),
    organization: field('O'),
    country: field('C'),
    publicKeyPem: forge.pki.publicKeyToPem(csr.publicKey),
  };
}
