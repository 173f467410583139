import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { encodeName, toPem } from '#signature/csr.ts';
import {
  bitString,
  boolean,
  childAt,
  contextConstructed,
  integer,
  octetString,
  oid,
  readDer,
  sequence,
  Tag,
  tlv,
} from '#signature/der.ts';
import { signatureAlgorithmIdentifier } from '#signature/signers/algorithms.ts';

/** A certificate with the private key it certifies, both PEM. */
export interface IssuedIdentity {
  readonly keyPem: string;
  readonly certificatePem: string;
}

export interface IssueOptions {
  /** RFC 4514 order, most specific first: `CN=…,O=…,C=VN`. */
  readonly subject: string;
  /** Signs the certificate; self-signed when omitted. */
  readonly issuer?: IssuedIdentity;
  readonly role: 'ca' | 'signer';
  /** @default 10 years for a CA, 2 for a signer */
  readonly validYears?: number;
  /** @default now */
  readonly notBefore?: Date;
}

const ext = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
};

/**
 * A throw-away certificate hierarchy for local development, built with node:crypto and the
 * repository's DER writer (no openssl needed): a self-signed CA, and signing certificates under
 * it with the key usages the verify step requires (digitalSignature, nonRepudiation). Keys are
 * EC P-256, which FileSigner and the verifier both handle and which generate in milliseconds.
 * Never for production: the CA key sits unprotected in `.edoc-local/`.
 */
export function issueIdentity(options: IssueOptions): IssuedIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const issuerKey = options.issuer ? createPrivateKey(options.issuer.keyPem) : privateKey;
  const issuerSpki = options.issuer
    ? createPublicKey(options.issuer.keyPem).export({ type: 'spki', format: 'der' })
    : spki;
  const issuerName = options.issuer
    ? subjectOf(options.issuer.certificatePem)
    : encodeName(options.subject);
  const notBefore = options.notBefore ?? new Date();
  const years = options.validYears ?? (options.role === 'ca' ? 10 : 2);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  // Backdated a minute so a certificate made just now is already valid on a skewed clock.
  const from = new Date(notBefore.getTime() - 60_000);

  const algorithm = signatureAlgorithmIdentifier('ECDSA_SHA_256');
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    contextConstructed(0, integer(2)),
    integer(serial),
    algorithm,
    issuerName,
    sequence(time(from), time(notAfter)),
    encodeName(options.subject),
    spki,
    contextConstructed(
      3,
      sequence(
        extension(
          ext.basicConstraints,
          true,
          sequence(...(options.role === 'ca' ? [boolean(true)] : [])),
        ),
        extension(ext.keyUsage, true, keyUsage(options.role)),
        extension(ext.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
        extension(
          ext.authorityKeyIdentifier,
          false,
          sequence(tlv(0x80, keyIdentifier(issuerSpki))),
        ),
      ),
    ),
  );
  const signature = sign('sha256', tbs, issuerKey);
  const certificate = sequence(tbs, algorithm, bitString(signature));
  return {
    keyPem: exportKey(privateKey),
    certificatePem: toPem(certificate, 'CERTIFICATE'),
  };
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** keyCertSign + cRLSign for a CA, digitalSignature + nonRepudiation for a signer (RFC 5280 §4.2.1.3). */
function keyUsage(role: IssueOptions['role']): Buffer {
  // Named bit lists drop trailing zero bits; the first byte counts the unused ones.
  return role === 'ca'
    ? tlv(Tag.bitString, Buffer.from([0x01, 0b0000_0110]))
    : tlv(Tag.bitString, Buffer.from([0x06, 0b1100_0000]));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: Buffer): Buffer {
  const key = childAt(readDer(spki), 1, Tag.bitString).content.subarray(1);
  return createHash('sha1').update(key).digest();
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii'))
    : tlv(Tag.generalizedTime, Buffer.from(`${iso}Z`, 'ascii'));
}

function subjectOf(certificatePem: string): Buffer {
  const der = Buffer.from(
    certificatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''),
    'base64',
  );
  const tbs = childAt(readDer(der), 0, Tag.sequence);
  return childAt(tbs, 5, Tag.sequence).raw;
}

function exportKey(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
