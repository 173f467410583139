import {
  constants,
  createHash,
  createVerify,
  type KeyObject,
  publicDecrypt,
  verify,
  X509Certificate,
} from 'node:crypto';
import forge from 'node-forge';
import {
  type Asn1,
  bitStringOf,
  childrenOf,
  derOf,
  integerHexOf,
  isContext,
  isUniversal,
  octetsOf,
  oidName,
  oidOf,
  parseDer,
  sequenceOf,
  Universal,
} from './asn1.ts';
import type { SignatureAlgorithmInfo, SignedDataInfo, SignerInfoData } from './cms.ts';
import {
  checkAlgorithms,
  DEFAULT_POLICY,
  type DigestAlgorithmName,
  type HashAlgorithmName,
  type ValidationPolicy,
} from './policy.ts';
import type { SubIndication, Verdict } from './report.ts';

/** Digest of the signed content for one algorithm; the PDF layer hashes its ByteRange once each. */
export type ContentDigester = (algorithm: DigestAlgorithmName) => Buffer;

/**
 * The content a signature covers. `digest` is enough whenever signed attributes are present
 * (the usual PAdES case) and for RSA PKCS#1 v1.5 without them; ECDSA, RSA-PSS and EdDSA made
 * directly over the content (no signed attributes), and SHAKE256 digests, need the bytes.
 */
export interface SignedContent {
  readonly digest: ContentDigester;
  /** The content as chunks in order (e.g. ByteRange sub-arrays of the file, not copies). */
  readonly chunks?: () => Iterable<Buffer>;
}

/** A `SignedContent` over bytes in memory, digests memoised per algorithm. */
export function contentOf(data: Buffer | readonly Buffer[]): SignedContent {
  const chunks: readonly Buffer[] = Buffer.isBuffer(data) ? [data] : data;
  const cache = new Map<DigestAlgorithmName, Buffer>();
  return {
    digest(algorithm) {
      const cached = cache.get(algorithm);
      if (cached) return cached;
      const hash = createHash(algorithm);
      for (const chunk of chunks) hash.update(chunk);
      const digest = hash.digest();
      cache.set(algorithm, digest);
      return digest;
    },
    chunks: () => chunks,
  };
}

const hashByOid: Readonly<Record<string, HashAlgorithmName>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.12': 'shake256',
  '2.16.840.1.101.3.4.2.18': 'shake256',
};

const oidByHash: Readonly<Record<DigestAlgorithmName, string>> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

/** The hash an OID names, if this layer can compute it. */
export function hashOfOid(oid: string): HashAlgorithmName | undefined {
  return hashByOid[oid];
}

type Family = 'rsa' | 'rsa-pss' | 'ecdsa' | 'ed25519' | 'ed448';

/** A signature algorithm resolved to what node:crypto needs. */
export type ResolvedAlgorithm =
  | {
      readonly ok: true;
      readonly name: string;
      readonly family: Family;
      /** The hash applied to the signed bytes (none for EdDSA, which hashes internally). */
      readonly hash?: DigestAlgorithmName;
      readonly saltLength?: number;
    }
  | { readonly ok: false; readonly name: string; readonly reason: string };

const fixedAlgorithms: Readonly<Record<string, { family: Family; hash?: DigestAlgorithmName }>> = {
  '1.2.840.113549.1.1.5': { family: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { family: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { family: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { family: 'rsa', hash: 'sha512' },
  '1.2.840.10045.4.1': { family: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { family: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { family: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { family: 'ecdsa', hash: 'sha512' },
  '1.3.101.112': { family: 'ed25519' },
  '1.3.101.113': { family: 'ed448' },
};

const rsaEncryption = '1.2.840.113549.1.1.1';
const ecPublicKey = '1.2.840.10045.2.1';
const rsassaPss = '1.2.840.113549.1.1.10';

/**
 * Maps a signatureAlgorithm to node:crypto parameters. The bare key OIDs (rsaEncryption,
 * id-ecPublicKey), which many CMS signers put there, sign with the SignerInfo's digest algorithm.
 */
export function resolveSignatureAlgorithm(
  algorithm: SignatureAlgorithmInfo,
  digestAlgorithmOid?: string,
): ResolvedAlgorithm {
  const name = oidName(algorithm.oid);
  const fixed = fixedAlgorithms[algorithm.oid];
  if (fixed) return { ok: true, name, ...fixed };
  if (algorithm.oid === rsaEncryption || algorithm.oid === ecPublicKey) {
    const hash = digestAlgorithmOid === undefined ? undefined : hashOfOid(digestAlgorithmOid);
    if (hash === undefined || hash === 'shake256') {
      return {
        ok: false,
        name,
        reason: `${name} with digest ${oidName(digestAlgorithmOid ?? '?')} is not supported`,
      };
    }
    return { ok: true, name, family: algorithm.oid === rsaEncryption ? 'rsa' : 'ecdsa', hash };
  }
  if (algorithm.oid === rsassaPss) {
    const pss = algorithm.pss;
    if (pss === undefined) return { ok: false, name, reason: 'RSASSA-PSS without parameters' };
    const hash = hashOfOid(pss.hashOid);
    if (hash === undefined || hash === 'shake256') {
      return {
        ok: false,
        name,
        reason: `RSASSA-PSS with hash ${oidName(pss.hashOid)} is not supported`,
      };
    }
    if (pss.mgf1HashOid !== pss.hashOid) {
      return {
        ok: false,
        name,
        reason: 'RSASSA-PSS with an MGF1 hash other than the message hash is not supported',
      };
    }
    if (pss.trailerField !== 1)
      return { ok: false, name, reason: 'RSASSA-PSS trailerField must be 1' };
    return {
      ok: true,
      name: `RSASSA-PSS/${hash}`,
      family: 'rsa-pss',
      hash,
      saltLength: pss.saltLength,
    };
  }
  return { ok: false, name, reason: `signature algorithm ${name} is not supported` };
}

const familyKeys: Readonly<Record<Family, readonly string[]>> = {
  rsa: ['rsa'],
  'rsa-pss': ['rsa', 'rsa-pss'],
  ecdsa: ['ec'],
  ed25519: ['ed25519'],
  ed448: ['ed448'],
};

function keyFits(family: Family, key: KeyObject): boolean {
  return familyKeys[family].includes(key.asymmetricKeyType ?? '');
}

function cryptoOptions(algorithm: ResolvedAlgorithm & { ok: true }, key: KeyObject) {
  if (algorithm.family === 'rsa-pss') {
    return {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: algorithm.saltLength ?? 20,
    };
  }
  if (algorithm.family === 'ecdsa') return { key, dsaEncoding: 'der' as const };
  return { key };
}

/**
 * Verifies a signature value over `data` with node:crypto. A wrong key type or a signature
 * node:crypto rejects as malformed is reported invalid, never thrown.
 */
export function verifySignatureValue(
  algorithm: ResolvedAlgorithm & { ok: true },
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): boolean {
  if (!keyFits(algorithm.family, key)) return false;
  try {
    return verify(algorithm.hash ?? null, data, cryptoOptions(algorithm, key), signature);
  } catch {
    return false;
  }
}

function verifyOverChunks(
  algorithm: ResolvedAlgorithm & { ok: true },
  key: KeyObject,
  chunks: Iterable<Buffer>,
  signature: Buffer,
): boolean {
  if (!keyFits(algorithm.family, key)) return false;
  try {
    if (algorithm.hash === undefined) {
      return verify(null, Buffer.concat([...chunks]), key, signature);
    }
    const verifier = createVerify(algorithm.hash);
    for (const chunk of chunks) verifier.update(chunk);
    return verifier.verify(cryptoOptions(algorithm, key), signature);
  } catch {
    return false;
  }
}

/** RSASSA-PKCS1-v1_5 over a precomputed digest: recover the DigestInfo and compare it whole. */
function verifyPkcs1Digest(
  hash: DigestAlgorithmName,
  digest: Buffer,
  key: KeyObject,
  signature: Buffer,
): boolean {
  if (!keyFits('rsa', key)) return false;
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  return digestInfos(hash, digest).some((expected) => expected.equals(recovered));
}

/** DigestInfo with NULL parameters (RFC 8017) and with absent ones, which some signers emit. */
function digestInfos(hash: DigestAlgorithmName, digest: Buffer): Buffer[] {
  const { create, Class, Type, oidToDer } = forge.asn1;
  const oid = create(Class.UNIVERSAL, Type.OID, false, oidToDer(oidByHash[hash]).getBytes());
  const octets = create(Class.UNIVERSAL, Type.OCTETSTRING, false, digest.toString('binary'));
  const withNull = [oid, create(Class.UNIVERSAL, Type.NULL, false, '')];
  return [withNull, [oid]].map((algorithm) =>
    derOf(
      create(Class.UNIVERSAL, Type.SEQUENCE, true, [
        create(Class.UNIVERSAL, Type.SEQUENCE, true, algorithm),
        octets,
      ]),
    ),
  );
}

/** A certificate as both DER (for hashes and path building) and node's parsed object. */
export interface CertificateRef {
  readonly der: Buffer;
  readonly x509: X509Certificate;
}

interface CertificateIdentity {
  readonly issuerDer: Buffer;
  readonly serialHex: string;
  readonly keyIdHex: string;
}

/** Issuer, serial and key identifier of a certificate, or undefined when it does not parse. */
function identityOf(der: Buffer): CertificateIdentity | undefined {
  try {
    const [tbs] = sequenceOf(parseDer(der), 'Certificate');
    const fields = [...sequenceOf(tbs, 'TBSCertificate')];
    if (isContext(fields[0], 0)) fields.shift();
    const [serial, , issuer, , , spki, ...rest] = fields;
    if (!isUniversal(issuer, Universal.sequence)) return undefined;
    const [, publicKey] = sequenceOf(spki, 'SubjectPublicKeyInfo');
    return {
      issuerDer: derOf(issuer),
      serialHex: integerHexOf(serial, 'serialNumber'),
      keyIdHex:
        subjectKeyIdentifier(rest) ??
        createHash('sha1').update(bitStringOf(publicKey, 'subjectPublicKey').bytes).digest('hex'),
    };
  } catch {
    return undefined;
  }
}

function subjectKeyIdentifier(tail: Asn1[]): string | undefined {
  const extensions = tail.find((node) => isContext(node, 3));
  if (extensions === undefined) return undefined;
  const [list] = childrenOf(extensions, 'extensions');
  for (const extension of sequenceOf(list, 'Extensions')) {
    const [id, ...rest] = sequenceOf(extension, 'Extension');
    if (oidOf(id, 'extnID') !== '2.5.29.14') continue;
    const value = rest.at(-1);
    return octetsOf(parseDer(octetsOf(value, 'extnValue')), 'SubjectKeyIdentifier').toString('hex');
  }
  return undefined;
}

function toCertificateRef(der: Buffer): CertificateRef | undefined {
  try {
    return { der, x509: new X509Certificate(der) };
  } catch {
    return undefined;
  }
}

function matchesSid(signer: SignerInfoData, identity: CertificateIdentity): boolean {
  const sid = signer.sid;
  return sid.type === 'issuerAndSerial'
    ? sid.serialHex === identity.serialHex && sid.issuerDer.equals(identity.issuerDer)
    : sid.keyIdHex === identity.keyIdHex;
}

export type EssCheck = 'match' | 'mismatch' | 'absent';

/**
 * Checks the ESS signing-certificate attributes (v1 and v2, RFC 5035) against a certificate: the
 * first ESSCertID must hash to it and, when it names an issuer and serial, name it. These bind
 * the signature to one certificate so it cannot be re-attributed to another with the same key.
 */
export function checkSigningCertificateAttribute(
  signer: SignerInfoData,
  certificate: Buffer,
): { readonly result: EssCheck; readonly reasons: readonly string[] } {
  const attributes = [
    signer.signedAttrs?.signingCertificate,
    signer.signedAttrs?.signingCertificateV2,
  ];
  const present = attributes.filter((a) => a !== undefined);
  if (present.length === 0) return { result: 'absent', reasons: [] };
  const identity = identityOf(certificate);
  const reasons: string[] = [];
  for (const attribute of present) {
    const label = attribute.version === 1 ? 'signing-certificate' : 'signing-certificate-v2';
    const [first] = attribute.certs;
    if (first === undefined) continue;
    const hash = hashOfOid(first.hashAlgorithmOid);
    if (hash === undefined || hash === 'shake256') {
      reasons.push(`${label} uses the unsupported hash ${oidName(first.hashAlgorithmOid)}`);
      continue;
    }
    if (!createHash(hash).update(certificate).digest().equals(first.certHash)) {
      reasons.push(`the ${label} attribute does not match the signer certificate's ${hash} hash`);
      continue;
    }
    const named = first.issuerSerial;
    if (named && identity) {
      const sameIssuer =
        named.issuerNamesDer.length === 0 ||
        named.issuerNamesDer.some((name) => name.equals(identity.issuerDer));
      if (named.serialHex !== identity.serialHex || !sameIssuer) {
        reasons.push(`the ${label} attribute names another issuer or serial number`);
      }
    }
  }
  return { result: reasons.length === 0 ? 'match' : 'mismatch', reasons };
}

/**
 * The certificate a SignerInfo names, looked up among the CMS certificates and the extra ones
 * (configured intermediates or /DSS certificates), since government signers often embed only part
 * of the chain. Among several that match, one that satisfies the ESS attribute wins.
 */
function lookupSigner(
  signer: SignerInfoData,
  certificates: readonly Buffer[],
): { certificate?: CertificateRef; unreadable: boolean } {
  const seen = new Set<string>();
  const matches: CertificateRef[] = [];
  let unreadable = false;
  for (const der of certificates) {
    const key = createHash('sha256').update(der).digest('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    const identity = identityOf(der);
    if (identity === undefined || !matchesSid(signer, identity)) continue;
    const ref = toCertificateRef(der);
    if (ref) matches.push(ref);
    else unreadable = true;
  }
  const certificate =
    matches.find((m) => checkSigningCertificateAttribute(signer, m.der).result !== 'mismatch') ??
    matches[0];
  return certificate ? { certificate, unreadable } : { unreadable };
}

export interface VerifySignerOptions {
  readonly content: SignedContent;
  /** Certificates beyond the CMS ones where the signer certificate may be found. */
  readonly extraCertificates?: readonly Buffer[];
  /** @default DEFAULT_POLICY */
  readonly policy?: ValidationPolicy;
}

/**
 * The outcome of the cryptographic building blocks of EN 319 102-1 (§5.2.3 identification of the
 * signing certificate, §5.2.7 cryptographic verification, §5.2.8 acceptance of algorithms) for
 * one SignerInfo. `TOTAL_PASSED` here means only that these checks passed: the certificate path
 * is judged by `validateCertificatePath`.
 */
export interface CmsVerification extends Verdict {
  readonly signerCertificate?: CertificateRef;
  /** The SignerInfo's digest algorithm, by name when known. */
  readonly digestAlgorithm: string;
  readonly signatureAlgorithm: string;
  readonly messageDigest: 'match' | 'mismatch' | 'not-checked' | 'absent';
  readonly signatureValue: 'valid' | 'invalid' | 'not-checked';
  readonly signingCertificateAttribute: EssCheck;
  readonly reasons: readonly string[];
}

interface Finding {
  readonly verdict: Verdict;
  readonly reason: string;
}

const failedOrder: readonly SubIndication[] = [
  'FORMAT_FAILURE',
  'HASH_FAILURE',
  'SIG_CRYPTO_FAILURE',
  'REVOKED',
  'EXPIRED',
  'NOT_YET_VALID',
];
const indeterminateOrder: readonly SubIndication[] = [
  'NO_SIGNING_CERTIFICATE_FOUND',
  'NO_CERTIFICATE_CHAIN_FOUND',
  'CHAIN_CONSTRAINTS_FAILURE',
  'CERTIFICATE_CHAIN_GENERAL_FAILURE',
  'CRYPTO_CONSTRAINTS_FAILURE',
  'SIGNED_DATA_NOT_FOUND',
  'REVOKED_NO_POE',
  'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
  'OUT_OF_BOUNDS_NOT_REVOKED',
  'OUT_OF_BOUNDS_NO_POE',
  'TRY_LATER',
];

/** The verdict of the most serious finding: failures before indeterminate, each in fixed order. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  const rank = (v: Verdict): number => {
    const sub = v.subIndication;
    if (v.indication === 'TOTAL_FAILED') {
      const i = sub === undefined ? -1 : failedOrder.indexOf(sub);
      return i < 0 ? failedOrder.length : i;
    }
    if (v.indication === 'INDETERMINATE') {
      const i = sub === undefined ? -1 : indeterminateOrder.indexOf(sub);
      return 100 + (i < 0 ? indeterminateOrder.length : i);
    }
    return 1000;
  };
  let worst: Verdict = { indication: 'TOTAL_PASSED' };
  for (const v of verdicts) if (rank(v) < rank(worst)) worst = v;
  return worst;
}

const failed = (subIndication: SubIndication): Verdict => ({
  indication: 'TOTAL_FAILED',
  subIndication,
});
const indeterminate = (subIndication: SubIndication): Verdict => ({
  indication: 'INDETERMINATE',
  subIndication,
});

function digestOfContent(content: SignedContent, hash: HashAlgorithmName): Buffer | undefined {
  if (hash !== 'shake256') return content.digest(hash);
  const chunks = content.chunks?.();
  if (chunks === undefined) return undefined;
  const shake = createHash('shake256', { outputLength: 64 });
  for (const chunk of chunks) shake.update(chunk);
  return shake.digest();
}

/**
 * Verifies one SignerInfo of a SignedData: finds its certificate, checks the content-type and
 * message-digest attributes against the content, the signature value over the signed attributes
 * (or over the content itself when there are none), the ESS signing-certificate binding, and the
 * algorithms against the policy. Never throws for hostile input: every problem is a finding.
 */
export function verifySignerInfo(
  sd: SignedDataInfo,
  signer: SignerInfoData,
  options: VerifySignerOptions,
): CmsVerification {
  const policy = options.policy ?? DEFAULT_POLICY;
  const findings: Finding[] = [];
  const note = (verdict: Verdict, reason: string) => findings.push({ verdict, reason });
  const digestHash = hashOfOid(signer.digestAlgorithmOid);
  const digestAlgorithm = digestHash ?? oidName(signer.digestAlgorithmOid);
  const attrs = signer.signedAttrs;

  let messageDigest: CmsVerification['messageDigest'] = 'absent';
  let contentDigest: Buffer | undefined;
  if (digestHash === undefined) {
    note(
      indeterminate('CRYPTO_CONSTRAINTS_FAILURE'),
      `digest algorithm ${digestAlgorithm} is not supported`,
    );
  } else {
    contentDigest = digestOfContent(options.content, digestHash);
    if (contentDigest === undefined) {
      note(
        indeterminate('SIGNED_DATA_NOT_FOUND'),
        `the signed content is needed to compute ${digestHash}`,
      );
    }
  }

  if (attrs) {
    if (attrs.contentType === undefined) {
      note(failed('FORMAT_FAILURE'), 'the signed attributes lack the content-type attribute');
    } else if (attrs.contentType !== sd.encapContentInfo.eContentType) {
      note(
        failed('FORMAT_FAILURE'),
        `the content-type attribute (${oidName(attrs.contentType)}) differs from the encapsulated content type (${oidName(sd.encapContentInfo.eContentType)})`,
      );
    }
    if (attrs.messageDigest === undefined) {
      note(failed('FORMAT_FAILURE'), 'the signed attributes lack the message-digest attribute');
    } else if (contentDigest === undefined) {
      messageDigest = 'not-checked';
    } else if (attrs.messageDigest.equals(contentDigest)) {
      messageDigest = 'match';
    } else {
      messageDigest = 'mismatch';
      note(
        failed('HASH_FAILURE'),
        `the message digest does not match the ${digestAlgorithm} of the signed content`,
      );
    }
  }

  const resolved = resolveSignatureAlgorithm(signer.signatureAlgorithm, signer.digestAlgorithmOid);
  if (!resolved.ok) note(indeterminate('CRYPTO_CONSTRAINTS_FAILURE'), resolved.reason);
  if (resolved.ok && resolved.family === 'ed448' && attrs && digestHash !== 'shake256') {
    note(
      indeterminate('CRYPTO_CONSTRAINTS_FAILURE'),
      `Ed448 requires SHAKE256 as digest algorithm (RFC 8419), not ${digestAlgorithm}`,
    );
  }
  if (resolved.ok && resolved.family === 'ed25519' && attrs && digestHash !== 'sha512') {
    note(
      indeterminate('CRYPTO_CONSTRAINTS_FAILURE'),
      `Ed25519 requires SHA-512 as digest algorithm (RFC 8419), not ${digestAlgorithm}`,
    );
  }

  const lookup = lookupSigner(signer, [...sd.certificates, ...(options.extraCertificates ?? [])]);
  const signerCertificate = lookup.certificate;
  let signatureValue: CmsVerification['signatureValue'] = 'not-checked';
  let ess: EssCheck = 'absent';
  if (signerCertificate === undefined) {
    note(
      indeterminate('NO_SIGNING_CERTIFICATE_FOUND'),
      lookup.unreadable
        ? 'the certificate the signer identifier names is not valid DER; node:crypto cannot read it'
        : 'the signer certificate is neither in the CMS nor among the known certificates',
    );
  } else {
    const key = signerCertificate.x509.publicKey;
    const essCheck = checkSigningCertificateAttribute(signer, signerCertificate.der);
    ess = essCheck.result;
    for (const reason of essCheck.reasons)
      note(indeterminate('NO_SIGNING_CERTIFICATE_FOUND'), reason);
    if (resolved.ok) {
      const valid = checkSignatureValue(signer, resolved, key, options.content, contentDigest);
      if (valid === undefined) {
        note(
          indeterminate('SIGNED_DATA_NOT_FOUND'),
          `a ${resolved.name} signature without signed attributes needs the signed content itself`,
        );
      } else {
        signatureValue = valid ? 'valid' : 'invalid';
        if (!valid)
          note(
            failed('SIG_CRYPTO_FAILURE'),
            `the ${resolved.name} signature value does not verify with the signer's public key`,
          );
      }
    }
    const hashes: (HashAlgorithmName | undefined)[] = [digestHash];
    if (resolved.ok && resolved.hash !== digestHash) hashes.push(resolved.hash);
    for (const hash of hashes) {
      const check = checkAlgorithms(policy, { hash, publicKey: key, purpose: 'signature' });
      if (!check.ok)
        for (const reason of check.reasons) note(indeterminate(check.subIndication), reason);
    }
  }

  const verdict = worstVerdict(findings.map((f) => f.verdict));
  return {
    ...verdict,
    ...(signerCertificate ? { signerCertificate } : {}),
    digestAlgorithm,
    signatureAlgorithm: resolved.name,
    messageDigest,
    signatureValue,
    signingCertificateAttribute: ess,
    reasons: [...new Set(findings.map((f) => f.reason))],
  };
}

/**
 * true/false once verified; undefined when the content bytes it needs were not given. Signed
 * attributes verify over their encoding as found or over its DER form (SET OF sorted, X.690
 * §11.6): RFC 5652 §5.4 signs the DER, but signers that store the set unsorted sign either form,
 * and OpenSSL, pyHanko and BouncyCastle (since bc-java#1365) accept both. Both forms hold the
 * same attributes, so accepting either lets no unsigned byte in.
 */
function checkSignatureValue(
  signer: SignerInfoData,
  algorithm: ResolvedAlgorithm & { ok: true },
  key: KeyObject,
  content: SignedContent,
  contentDigest: Buffer | undefined,
): boolean | undefined {
  if (signer.signedAttrs) {
    const { der, reencodedDer } = signer.signedAttrs;
    return [der, ...(reencodedDer ? [reencodedDer] : [])].some((data) =>
      verifySignatureValue(algorithm, key, data, signer.signature),
    );
  }
  if (algorithm.family === 'rsa' && algorithm.hash !== undefined) {
    const digest =
      hashOfOid(signer.digestAlgorithmOid) === algorithm.hash && contentDigest
        ? contentDigest
        : content.digest(algorithm.hash);
    return verifyPkcs1Digest(algorithm.hash, digest, key, signer.signature);
  }
  const chunks = content.chunks?.();
  if (chunks === undefined) return undefined;
  return verifyOverChunks(algorithm, key, chunks, signer.signature);
}
