import { constants, createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { Signer } from '#ports/signer.ts';
import { SignerError } from '#ports/signer.ts';
import {
  childAt,
  contextConstructed,
  type DerNode,
  integer,
  octetString,
  oid,
  readDer,
  sequence,
  setOf,
  sortEncodings,
  Tag,
  tlv,
} from './der.ts';
import {
  digestAlgorithmIdentifier,
  type HashName,
  hashLengths,
  hashOf,
  schemeOf,
  signatureAlgorithmIdentifier,
} from './signers/algorithms.ts';

const oids = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
} as const;

export interface PadesCmsOptions {
  /** Digest of the PDF byte ranges, computed with `digestAlgorithm`. */
  readonly contentDigest: Buffer;
  /** Must be the hash of `signer.algorithm`: CMS digests content and signed attributes alike. */
  readonly digestAlgorithm: HashName;
  readonly signer: Signer;
  /** DER certificates, the signer's first, then its issuers (the root may be left out). */
  readonly certificateChain: Buffer[];
  /** Returns an RFC 3161 TimeStampToken over the given signature value (PAdES B-T). */
  readonly timestamp?: (signatureValue: Buffer) => Promise<Buffer>;
}

/**
 * Builds the detached CMS SignedData that goes into a PDF signature's /Contents, as PAdES
 * baseline B-B (ETSI EN 319 142-1) requires: signed attributes contentType, messageDigest and
 * ESS signing-certificate-v2 only — no signing-time, since PAdES takes the time from the
 * signature dictionary's /M or from a timestamp. With `timestamp`, it adds a
 * signature-time-stamp (B-T). The signature is checked against the certificate's key before the
 * CMS is returned, so a misconfigured key store never yields a document with a broken seal.
 */
export async function buildPadesCms(options: PadesCmsOptions): Promise<Buffer> {
  const { contentDigest, digestAlgorithm, signer, certificateChain } = options;
  const signerHash = hashOf(signer.algorithm);
  if (signerHash !== digestAlgorithm) {
    throw new SignerError(
      `signer algorithm ${signer.algorithm} does not use digest algorithm ${digestAlgorithm}`,
    );
  }
  if (contentDigest.length !== hashLengths[digestAlgorithm]) {
    throw new SignerError(`content digest is not a ${digestAlgorithm} digest`);
  }
  const [leaf] = certificateChain;
  if (leaf === undefined) throw new SignerError('certificate chain is empty');
  const cert = certificateFields(leaf);
  const certKey = createPublicKey({ key: cert.spki, format: 'der', type: 'spki' });
  const signerKey = createPublicKey({ key: await signer.publicKey(), format: 'der', type: 'spki' });
  if (!certKey.equals(signerKey)) {
    throw new SignerError('the signer key does not match the signing certificate');
  }

  const signedAttributes = setOf(
    attribute(oids.contentType, oid(oids.data)),
    attribute(oids.messageDigest, octetString(contentDigest)),
    attribute(oids.signingCertificateV2, signingCertificateV2(leaf, cert)),
  );
  const toBeSigned = createHash(digestAlgorithm).update(signedAttributes).digest();
  const signature = await signer.sign(toBeSigned);
  if (!verifies(signer.algorithm, certKey, signedAttributes, signature)) {
    throw new SignerError('the signature does not verify with the signing certificate');
  }

  const unsigned: Buffer[] = [];
  if (options.timestamp) {
    const token = await options.timestamp(signature);
    readDer(token);
    unsigned.push(attribute(oids.signatureTimeStampToken, token));
  }

  const signerInfo = sequence(
    integer(1),
    sequence(cert.issuer, cert.serial),
    digestAlgorithmIdentifier(digestAlgorithm),
    tlv(0xa0, readDer(signedAttributes).content),
    signatureAlgorithmIdentifier(signer.algorithm),
    octetString(signature),
    ...(unsigned.length > 0 ? [tlv(0xa1, Buffer.concat(sortEncodings(unsigned)))] : []),
  );
  const signedData = sequence(
    integer(1),
    setOf(digestAlgorithmIdentifier(digestAlgorithm)),
    sequence(oid(oids.data)),
    tlv(0xa0, Buffer.concat(sortEncodings(certificateChain))),
    setOf(signerInfo),
  );
  return sequence(oid(oids.signedData), contextConstructed(0, signedData));
}

/** Room for a timestamp token: TSTInfo, the TSA's signature and its certificate chain. */
const timestampAllowance = 16 * 1024;

/**
 * An upper bound on the size of what `buildPadesCms` returns for this chain, to size the PDF
 * /Contents placeholder before signing (the hex placeholder needs twice this many digits). The
 * timestamp part is an allowance, not a bound: the PDF writer must still check the CMS fits.
 */
export function estimateCmsSize(certificateChain: Buffer[], withTimestamp: boolean): number {
  const [leaf] = certificateChain;
  if (leaf === undefined) throw new SignerError('certificate chain is empty');
  const cert = certificateFields(leaf);
  const certificates = certificateChain.reduce((sum, c) => sum + c.length, 0);
  // Issuer and serial appear twice (sid and ESS); an RSA or ECDSA signature is never longer than
  // the SPKI that carries its key plus DER overhead; 1 KiB covers every fixed field and header.
  const signerInfo = 2 * (cert.issuer.length + cert.serial.length) + cert.spki.length + 16;
  return certificates + signerInfo + 1024 + (withTimestamp ? timestampAllowance : 0);
}

interface CertificateFields {
  readonly issuer: Buffer;
  readonly serial: Buffer;
  readonly spki: Buffer;
}

/** Raw issuer Name, serialNumber INTEGER and SPKI of an X.509 certificate, byte for byte. */
function certificateFields(der: Buffer): CertificateFields {
  try {
    const tbs = childAt(readDer(der), 0, Tag.sequence);
    const first = childAt(tbs, 0);
    const base = first.tag === 0xa0 ? 1 : 0;
    const at = (i: number, tag: number): DerNode => childAt(tbs, base + i, tag);
    return {
      serial: at(0, Tag.integer).raw,
      issuer: at(2, Tag.sequence).raw,
      spki: at(5, Tag.sequence).raw,
    };
  } catch (error) {
    throw new SignerError('cannot read the signing certificate', { cause: error });
  }
}

function attribute(type: string, ...values: Buffer[]): Buffer {
  return sequence(oid(type), setOf(...values));
}

/** RFC 5035 SigningCertificateV2 with one ESSCertIDv2; hashAlgorithm omitted as the SHA-256 default. */
function signingCertificateV2(leaf: Buffer, cert: CertificateFields): Buffer {
  const certHash = createHash('sha256').update(leaf).digest();
  const issuerSerial = sequence(sequence(tlv(0xa4, cert.issuer)), cert.serial);
  return sequence(sequence(sequence(octetString(certHash), issuerSerial)));
}

function verifies(
  algorithm: Signer['algorithm'],
  key: KeyObject,
  signedAttributes: Buffer,
  signature: Buffer,
): boolean {
  const hash = hashOf(algorithm);
  switch (schemeOf(algorithm)) {
    case 'pkcs1':
      return verify(hash, signedAttributes, key, signature);
    case 'pss':
      return verify(
        hash,
        signedAttributes,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hashLengths[hash] },
        signature,
      );
    case 'ecdsa':
      return verify(hash, signedAttributes, { key, dsaEncoding: 'der' }, signature);
  }
}
