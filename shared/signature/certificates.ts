import { createHash, X509Certificate } from 'node:crypto';
import { DomainError } from '#shared/errors.ts';
import {
  type Asn1,
  Asn1FormatError,
  bitStringOf,
  booleanOf,
  bytesOf,
  childrenOf,
  derOf,
  integerHexOf,
  isContext,
  isUniversal,
  octetsOf,
  oidOf,
  parseDer,
  sequenceOf,
  smallIntegerOf,
  timeOf,
  Universal,
} from './asn1.ts';
import { type SignatureAlgorithmInfo, signatureAlgorithmOf } from './cms.ts';
import { checkAlgorithms, DEFAULT_POLICY, type ValidationPolicy } from './policy.ts';
import type { SignerSummary, SubIndication, Verdict } from './report.ts';
import { resolveSignatureAlgorithm, verifySignatureValue, worstVerdict } from './verify-cms.ts';

/** A certificate or CRL that is not the RFC 5280 structure it claims to be. */
export class CertificateFormatError extends DomainError {}

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const keyUsageBits: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const Ext = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  freshestCrl: '2.5.29.46',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  qcStatements: '1.3.6.1.5.5.7.1.3',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

/** Extensions whose meaning this verifier either enforces or may safely ignore when critical. */
const understood = new Set<string>([
  Ext.subjectKeyIdentifier,
  Ext.keyUsage,
  Ext.subjectAltName,
  Ext.issuerAltName,
  Ext.basicConstraints,
  Ext.crlDistributionPoints,
  Ext.certificatePolicies,
  Ext.authorityKeyIdentifier,
  Ext.extKeyUsage,
  Ext.freshestCrl,
  Ext.authorityInfoAccess,
  Ext.qcStatements,
  Ext.ocspNoCheck,
]);

export const timeStampingEku = '1.3.6.1.5.5.7.3.8';

/** The fields path validation needs, read once from the DER. */
export interface CertificateInfo {
  readonly der: Buffer;
  readonly x509: X509Certificate;
  /** SHA-256 of the DER, hex: identity for loops and de-duplication. */
  readonly fingerprint: string;
  readonly version: number;
  readonly serialHex: string;
  readonly subjectDer: Buffer;
  readonly issuerDer: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLen?: number };
  readonly keyUsage?: ReadonlySet<KeyUsageName>;
  readonly extendedKeyUsage?: readonly string[];
  readonly subjectKeyIdHex?: string;
  readonly authorityKeyIdHex?: string;
  readonly unknownCriticalExtensions: readonly string[];
}

/** Parses an X.509 certificate; `CertificateFormatError` when node or the DER reader refuses it. */
export function parseCertificate(der: Buffer): CertificateInfo {
  try {
    const x509 = new X509Certificate(der);
    const [tbs, outerAlgorithm] = sequenceOf(parseDer(der), 'Certificate');
    const fields = [...sequenceOf(tbs, 'TBSCertificate')];
    let version = 1;
    const versionNode = isContext(fields[0], 0) ? fields.shift() : undefined;
    if (versionNode) version = smallIntegerOf(childrenOf(versionNode, 'version')[0], 'version') + 1;
    const [serial, , issuer, validity, subject, , ...rest] = fields;
    const [notBefore, notAfter] = sequenceOf(validity, 'Validity');
    if (!isUniversal(issuer, Universal.sequence) || !isUniversal(subject, Universal.sequence)) {
      throw new CertificateFormatError('certificate: issuer or subject is not a Name');
    }
    const extensions = readExtensions(rest.find((node) => isContext(node, 3)));
    return {
      der,
      x509,
      fingerprint: createHash('sha256').update(der).digest('hex'),
      version,
      serialHex: integerHexOf(serial, 'serialNumber'),
      subjectDer: derOf(subject),
      issuerDer: derOf(issuer),
      notBefore: timeOf(notBefore, 'notBefore'),
      notAfter: timeOf(notAfter, 'notAfter'),
      signatureAlgorithm: signatureAlgorithmOf(outerAlgorithm),
      ...certificateExtensions(extensions),
    };
  } catch (error) {
    if (error instanceof CertificateFormatError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new CertificateFormatError(`not a readable X.509 certificate: ${message}`, {
      cause: error,
    });
  }
}

interface Extension {
  readonly id: string;
  readonly critical: boolean;
  readonly value: Buffer;
}

function readExtensions(node: Asn1 | undefined): Extension[] {
  if (node === undefined) return [];
  const [list] = childrenOf(node, 'extensions');
  const seen = new Set<string>();
  return sequenceOf(list, 'Extensions').map((extension) => {
    const items = sequenceOf(extension, 'Extension');
    const id = oidOf(items[0], 'extnID');
    if (seen.has(id)) throw new CertificateFormatError(`extension ${id} appears twice`);
    seen.add(id);
    const critical = items.length === 3 ? booleanOf(items[1], 'critical') : false;
    return { id, critical, value: octetsOf(items.at(-1), 'extnValue') };
  });
}

function certificateExtensions(extensions: Extension[]) {
  const out: {
    basicConstraints?: { ca: boolean; pathLen?: number };
    keyUsage?: Set<KeyUsageName>;
    extendedKeyUsage?: string[];
    subjectKeyIdHex?: string;
    authorityKeyIdHex?: string;
    unknownCriticalExtensions: string[];
  } = { unknownCriticalExtensions: [] };
  for (const extension of extensions) {
    const value = () => parseDer(extension.value);
    switch (extension.id) {
      case Ext.basicConstraints: {
        const items = [...sequenceOf(value(), 'BasicConstraints')];
        const ca = isUniversal(items[0], Universal.boolean)
          ? booleanOf(items.shift(), 'cA')
          : false;
        const pathLen = items[0] === undefined ? undefined : smallIntegerOf(items[0], 'pathLen');
        out.basicConstraints = pathLen === undefined ? { ca } : { ca, pathLen };
        break;
      }
      case Ext.keyUsage: {
        const { bytes } = bitStringOf(value(), 'KeyUsage');
        out.keyUsage = new Set(
          keyUsageBits.filter((_, bit) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0),
        );
        break;
      }
      case Ext.extKeyUsage:
        out.extendedKeyUsage = sequenceOf(value(), 'ExtKeyUsage').map((k) =>
          oidOf(k, 'KeyPurposeId'),
        );
        break;
      case Ext.subjectKeyIdentifier:
        out.subjectKeyIdHex = octetsOf(value(), 'SubjectKeyIdentifier').toString('hex');
        break;
      case Ext.authorityKeyIdentifier: {
        const keyId = sequenceOf(value(), 'AuthorityKeyIdentifier').find((n) => isContext(n, 0));
        if (keyId) out.authorityKeyIdHex = bytesOf(keyId).toString('hex');
        break;
      }
      default:
        if (extension.critical && !understood.has(extension.id)) {
          out.unknownCriticalExtensions.push(extension.id);
        }
    }
  }
  return out;
}

/** One entry of a CRL. */
export interface RevokedEntry {
  readonly serialHex: string;
  readonly revocationDate: Date;
  /** CRLReason (RFC 5280 §5.3.1) when given: 1 keyCompromise, 6 certificateHold, 8 removeFromCRL… */
  readonly reason?: number;
}

export interface CrlInfo {
  readonly der: Buffer;
  readonly issuerDer: Buffer;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  readonly tbsDer: Buffer;
  readonly signature: Buffer;
  readonly revoked: ReadonlyMap<string, RevokedEntry>;
  readonly isDelta: boolean;
  readonly unknownCriticalExtensions: readonly string[];
}

/** Parses an RFC 5280 CertificateList (DER). */
export function parseCrl(der: Buffer): CrlInfo {
  try {
    const [tbs, algorithm, signatureValue] = sequenceOf(parseDer(der), 'CertificateList');
    if (tbs === undefined) throw new CertificateFormatError('CRL: missing tbsCertList');
    const items = [...sequenceOf(tbs, 'TBSCertList')];
    if (isUniversal(items[0], Universal.integer)) items.shift();
    items.shift();
    const issuer = items.shift();
    if (!isUniversal(issuer, Universal.sequence))
      throw new CertificateFormatError('CRL: bad issuer');
    const thisUpdate = timeOf(items.shift(), 'thisUpdate');
    const nextUpdate =
      isUniversal(items[0], Universal.utcTime) || isUniversal(items[0], Universal.generalizedTime)
        ? timeOf(items.shift(), 'nextUpdate')
        : undefined;
    const revoked = new Map<string, RevokedEntry>();
    if (isUniversal(items[0], Universal.sequence)) {
      for (const entry of sequenceOf(items.shift(), 'revokedCertificates')) {
        const parsed = readRevokedEntry(entry);
        revoked.set(parsed.serialHex, parsed);
      }
    }
    const extensions = readExtensions(items.find((n) => isContext(n, 0)));
    const known = new Set<string>([Ext.crlNumber, Ext.authorityKeyIdentifier, Ext.issuerAltName]);
    return {
      der,
      issuerDer: derOf(issuer),
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      signatureAlgorithm: signatureAlgorithmOf(algorithm),
      tbsDer: derOf(tbs),
      signature: bitStringOf(signatureValue, 'CRL signature').bytes,
      revoked,
      isDelta: extensions.some((e) => e.id === Ext.deltaCrlIndicator),
      unknownCriticalExtensions: extensions
        .filter((e) => e.critical && !known.has(e.id) && e.id !== Ext.deltaCrlIndicator)
        .map((e) => e.id),
    };
  } catch (error) {
    if (error instanceof CertificateFormatError) throw error;
    if (error instanceof Asn1FormatError) {
      throw new CertificateFormatError(`not a readable CRL: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function readRevokedEntry(node: Asn1): RevokedEntry {
  const [serial, date, extensionsNode] = sequenceOf(node, 'revoked certificate');
  const entry = {
    serialHex: integerHexOf(serial, 'userCertificate'),
    revocationDate: timeOf(date, 'revocationDate'),
  };
  if (extensionsNode === undefined) return entry;
  for (const extension of sequenceOf(extensionsNode, 'crlEntryExtensions')) {
    const items = sequenceOf(extension, 'crlEntryExtension');
    if (oidOf(items[0], 'extnID') !== Ext.reasonCode) continue;
    const reason = parseDer(octetsOf(items.at(-1), 'reasonCode'));
    if (isUniversal(reason, Universal.enumerated)) {
      return { ...entry, reason: bytesOf(reason).readUIntBE(0, 1) };
    }
  }
  return entry;
}

/** Every certificate in a PEM text (several may be concatenated, as in a CA bundle). */
export function parsePemBundle(text: string): Buffer[] {
  const pattern =
    /-----BEGIN (?:X509 )?CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END (?:X509 )?CERTIFICATE-----/g;
  return [...text.matchAll(pattern)]
    .map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'))
    .filter((der) => der.length > 0);
}

const attributeNames: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

function decodeDirectoryString(node: Asn1): string {
  const bytes = bytesOf(node);
  const type: number = node.type;
  switch (type) {
    case 30: // BMPString (UTF-16BE); copied, since swap16 works in place on the DER
      return Buffer.from(bytes.subarray(0, bytes.length & ~1))
        .swap16()
        .toString('utf16le');
    case 28: {
      // UniversalString (UTF-32BE)
      let text = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        const point = bytes.readUInt32BE(i);
        text += point <= 0x10ffff ? String.fromCodePoint(point) : '\ufffd';
      }
      return text;
    }
    case 12: // UTF8String
      return bytes.toString('utf8');
    default:
      return bytes.toString('latin1');
  }
}

/** A Name as RFC 4514-style text (most specific first) plus its attributes by short name. */
export function readName(der: Buffer): { text: string; attributes: Map<string, string[]> } {
  const attributes = new Map<string, string[]>();
  const parts: string[] = [];
  for (const rdn of sequenceOf(parseDer(der), 'Name')) {
    const values = sequenceOf(rdn, 'RelativeDistinguishedName', Universal.set).map((atv) => {
      const [type, value] = sequenceOf(atv, 'AttributeTypeAndValue');
      const id = oidOf(type, 'attribute type');
      const name = attributeNames[id] ?? id;
      const text = value === undefined ? '' : decodeDirectoryString(value);
      attributes.set(name, [...(attributes.get(name) ?? []), text]);
      return `${name}=${text.replace(/([,+"\\<>;])/g, '\\$1')}`;
    });
    parts.unshift(values.join('+'));
  }
  return { text: parts.join(', '), attributes };
}

export interface CertificateSummary extends SignerSummary {
  readonly notBefore: string;
  readonly notAfter: string;
}

/** Who a certificate names, in the report's terms (Vietnamese names decoded from UTF8String). */
export function certificateSummary(certificate: Buffer | CertificateInfo): CertificateSummary {
  const info = Buffer.isBuffer(certificate) ? parseCertificate(certificate) : certificate;
  const subject = readName(info.subjectDer);
  const first = (key: string) => subject.attributes.get(key)?.[0];
  const cn = first('CN');
  const o = first('O');
  const ou = first('OU');
  const c = first('C');
  return {
    subject: subject.text,
    issuer: readName(info.issuerDer).text,
    serialNumber: info.serialHex,
    ...(cn === undefined ? {} : { commonName: cn }),
    ...(o === undefined ? {} : { organization: o }),
    ...(ou === undefined ? {} : { organizationalUnit: ou }),
    ...(c === undefined ? {} : { country: c }),
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
  };
}

export interface PathValidationOptions {
  /** DER certificates trusted as roots; their own validity and constraints are not judged. */
  readonly trustAnchors: readonly Buffer[];
  /** Candidate intermediates: the CMS certificates, configured ones, the document's /DSS. */
  readonly intermediates?: readonly Buffer[];
  /** DER CRLs: configured, from the /DSS, from adbe-revocationInfoArchival. */
  readonly crls?: readonly Buffer[];
  readonly validationTime: Date;
  /**
   * When the signature existed: a revocation after it does not invalidate the signature. `proven`
   * when a trusted timestamp shows it; a claimed time leaves a later revocation INDETERMINATE.
   * Defaults to the validation time.
   */
  readonly bestSignatureTime?: { readonly time: Date; readonly proven: boolean };
  /** What the end certificate must be fit for. @default 'signature' */
  readonly purpose?: 'signature' | 'timestamping';
  /** @default DEFAULT_POLICY */
  readonly policy?: ValidationPolicy;
}

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

export interface PathValidation extends Verdict {
  /** End certificate first, trust anchor last; empty when no path was found. */
  readonly chain: readonly CertificateInfo[];
  /** Subjects of `chain`, for the report. */
  readonly chainSubjects: readonly string[];
  /** Revocation status of the end certificate. */
  readonly revocation: RevocationStatus;
  readonly revocationDate?: Date;
  readonly reasons: readonly string[];
}

const maxDepth = 10;
const maxPaths = 8;
/** Bounds the search when hostile input offers many cross-certificates under one name. */
const maxVisits = 500;

/**
 * Builds certificate paths from `endCertificate` to a trust anchor and validates them at the
 * validation time (RFC 5280 §6 subset, EN 319 102-1 §5.2.6 vocabulary): signatures of each link,
 * validity, basicConstraints, pathLen, keyUsage, EKU for time-stamping, policy on algorithms,
 * unknown critical extensions, and CRL revocation. The first path that passes is returned;
 * otherwise the least severe failure, with its reasons.
 */
export function validateCertificatePath(
  endCertificate: Buffer,
  options: PathValidationOptions,
): PathValidation {
  let end: CertificateInfo;
  try {
    end = parseCertificate(endCertificate);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return noPath('FORMAT_FAILURE', [`the signer certificate is unreadable: ${message}`]);
  }
  const anchors = parseAll(options.trustAnchors);
  const pool = parseAll(options.intermediates ?? []).filter(
    (c) => !anchors.some((a) => a.fingerprint === c.fingerprint),
  );
  const crls = parseCrls(options.crls ?? []);
  const paths = buildPaths(end, pool, anchors);
  if (paths.length === 0) {
    return noPath('NO_CERTIFICATE_CHAIN_FOUND', [
      `no path from "${certificateSummary(end).subject}" to a trusted anchor`,
    ]);
  }
  const evaluated = paths.map((path) => evaluatePath(path, crls, options));
  const best = evaluated.find((e) => e.indication === 'TOTAL_PASSED') ?? leastSevere(evaluated);
  return best;
}

function noPath(subIndication: SubIndication, reasons: string[]): PathValidation {
  const indication = subIndication === 'FORMAT_FAILURE' ? 'TOTAL_FAILED' : 'INDETERMINATE';
  return {
    indication,
    subIndication,
    chain: [],
    chainSubjects: [],
    revocation: 'unknown',
    reasons,
  };
}

function leastSevere(results: PathValidation[]): PathValidation {
  const score = (r: PathValidation) =>
    r.indication === 'TOTAL_PASSED' ? 0 : r.indication === 'INDETERMINATE' ? 1 : 2;
  return results.reduce((best, r) => (score(r) < score(best) ? r : best));
}

function parseAll(ders: readonly Buffer[]): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  for (const der of ders) {
    try {
      const info = parseCertificate(der);
      if (!out.some((c) => c.fingerprint === info.fingerprint)) out.push(info);
    } catch {
      // An unreadable certificate among the candidates cannot be a link; others may still be.
    }
  }
  return out;
}

function parseCrls(ders: readonly Buffer[]): CrlInfo[] {
  const out: CrlInfo[] = [];
  for (const der of ders) {
    try {
      out.push(parseCrl(der));
    } catch {
      // Unreadable revocation data is no revocation data.
    }
  }
  return out;
}

const linkCache = new WeakMap<CertificateInfo, Map<string, boolean>>();

/** Whether `parent` issued `child`: names chain, key identifiers agree, signature verifies. */
function issuedBy(child: CertificateInfo, parent: CertificateInfo): boolean {
  let cache = linkCache.get(child);
  const cached = cache?.get(parent.fingerprint);
  if (cached !== undefined) return cached;
  const namesChain =
    child.issuerDer.equals(parent.subjectDer) || child.x509.checkIssued(parent.x509);
  const keyIdsAgree =
    child.authorityKeyIdHex === undefined ||
    parent.subjectKeyIdHex === undefined ||
    child.authorityKeyIdHex === parent.subjectKeyIdHex;
  let result = false;
  if (namesChain && keyIdsAgree) {
    try {
      result = child.x509.verify(parent.x509.publicKey);
    } catch {
      result = false;
    }
  }
  if (cache === undefined) {
    cache = new Map();
    linkCache.set(child, cache);
  }
  cache.set(parent.fingerprint, result);
  return result;
}

function buildPaths(
  end: CertificateInfo,
  pool: readonly CertificateInfo[],
  anchors: readonly CertificateInfo[],
): CertificateInfo[][] {
  const paths: CertificateInfo[][] = [];
  if (anchors.some((a) => a.fingerprint === end.fingerprint)) return [[end]];
  let budget = maxVisits;
  const visit = (path: CertificateInfo[]) => {
    if (paths.length >= maxPaths || --budget < 0) return;
    const current = path.at(-1);
    if (current === undefined) return;
    for (const anchor of anchors) {
      if (issuedBy(current, anchor)) paths.push([...path, anchor]);
    }
    if (path.length >= maxDepth) return;
    for (const candidate of pool) {
      if (path.some((p) => p.fingerprint === candidate.fingerprint)) continue;
      if (issuedBy(current, candidate)) visit([...path, candidate]);
    }
  };
  visit([end]);
  return paths;
}

interface Finding {
  readonly verdict: Verdict;
  readonly reason: string;
}

interface RevocationResult {
  readonly status: RevocationStatus;
  readonly date?: Date;
  readonly reason?: number;
}

function evaluatePath(
  chain: CertificateInfo[],
  crls: readonly CrlInfo[],
  options: PathValidationOptions,
): PathValidation {
  const policy = options.policy ?? DEFAULT_POLICY;
  const purpose = options.purpose ?? 'signature';
  const at = options.validationTime;
  const signatureTime = options.bestSignatureTime ?? { time: at, proven: false };
  const findings: Finding[] = [];
  const note = (indication: Verdict['indication'], subIndication: SubIndication, reason: string) =>
    findings.push({ verdict: { indication, subIndication }, reason });
  const subjects = chain.map((c) => certificateSummary(c).subject);
  const anchorIndex = chain.length - 1;
  let endRevocation: RevocationResult = { status: 'unknown' };
  let endOutOfBounds: string | undefined;

  chain.forEach((cert, i) => {
    const name = `"${subjects[i]}"`;
    if (i === anchorIndex) {
      checkPathLength(cert, i, chain, name, note);
      return;
    }
    const issuer = chain[i + 1];
    if (issuer === undefined) return;
    if (at < cert.notBefore || at > cert.notAfter) {
      const reason = `${name} is valid from ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}, not at ${at.toISOString()}`;
      if (i === 0) endOutOfBounds = reason;
      else note('INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE', reason);
    }
    for (const id of cert.unknownCriticalExtensions) {
      note(
        'INDETERMINATE',
        'CHAIN_CONSTRAINTS_FAILURE',
        `${name} has the unsupported critical extension ${id}`,
      );
    }
    const algorithm = resolveSignatureAlgorithm(cert.signatureAlgorithm);
    const check = checkAlgorithms(policy, {
      hash: algorithm.ok ? algorithm.hash : undefined,
      publicKey: issuer.x509.publicKey,
      purpose: 'certificate',
      issuedAt: cert.notBefore,
    });
    if (!check.ok) {
      for (const reason of check.reasons)
        note('INDETERMINATE', check.subIndication, `${name}: ${reason}`);
    }
    if (i === 0) {
      checkEndCertificate(cert, purpose, name, note);
    } else {
      checkCaCertificate(cert, name, note);
      checkPathLength(cert, i, chain, name, note);
    }
    const revocation = revocationOf(
      cert,
      issuer,
      crls,
      policy,
      options.bestSignatureTime?.time,
      at,
    );
    if (i === 0) endRevocation = revocation;
    if (revocation.status === 'revoked' && revocation.date) {
      const when = revocation.date.toISOString();
      if (revocation.date.getTime() <= signatureTime.time.getTime()) {
        note(
          'TOTAL_FAILED',
          'REVOKED',
          `${name} was revoked on ${when}, before the signature was made`,
        );
      } else if (!signatureTime.proven) {
        note(
          'INDETERMINATE',
          'REVOKED_NO_POE',
          `${name} was revoked on ${when}; nothing proves the signature existed before`,
        );
      }
    } else if (revocation.status === 'unknown' && policy.requireRevocationData) {
      note('INDETERMINATE', 'TRY_LATER', `no usable revocation data for ${name}`);
    }
  });

  if (endOutOfBounds !== undefined) {
    // EN 319 102-1 Table 6: out of bounds at the validation time, known not revoked or not.
    const known = endRevocation.status === 'good';
    note(
      'INDETERMINATE',
      known ? 'OUT_OF_BOUNDS_NOT_REVOKED' : 'OUT_OF_BOUNDS_NO_POE',
      known ? `${endOutOfBounds}; it is known not to be revoked` : endOutOfBounds,
    );
  }
  const verdict = worstVerdict(findings.map((f) => f.verdict));
  return {
    ...verdict,
    chain,
    chainSubjects: subjects,
    revocation: endRevocation.status,
    ...(endRevocation.date ? { revocationDate: endRevocation.date } : {}),
    reasons: findings.map((f) => f.reason),
  };
}

type Note = (
  indication: Verdict['indication'],
  subIndication: SubIndication,
  reason: string,
) => void;

function checkEndCertificate(
  cert: CertificateInfo,
  purpose: 'signature' | 'timestamping',
  name: string,
  note: Note,
): void {
  const ku = cert.keyUsage;
  if (ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation')) {
    note(
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
      `${name} is not for signing: keyUsage lacks digitalSignature and nonRepudiation`,
    );
  }
  if (purpose === 'timestamping' && !cert.extendedKeyUsage?.includes(timeStampingEku)) {
    note(
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
      `${name} is not a time-stamping certificate (extendedKeyUsage lacks timeStamping)`,
    );
  }
}

function checkCaCertificate(cert: CertificateInfo, name: string, note: Note): void {
  if (cert.basicConstraints?.ca !== true) {
    note(
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
      `${name} issues certificates but is not a CA (basicConstraints)`,
    );
  }
  if (cert.keyUsage && !cert.keyUsage.has('keyCertSign')) {
    note(
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
      `${name} issues certificates but its keyUsage lacks keyCertSign`,
    );
  }
}

/** pathLen counts the non-self-issued intermediate CAs below a CA (RFC 5280 §4.2.1.9). */
function checkPathLength(
  cert: CertificateInfo,
  index: number,
  chain: readonly CertificateInfo[],
  name: string,
  note: Note,
): void {
  const limit = cert.basicConstraints?.pathLen;
  if (limit === undefined || index === 0) return;
  const below = chain.slice(1, index).filter((c) => !c.issuerDer.equals(c.subjectDer)).length;
  if (below > limit) {
    note(
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
      `${name} allows ${limit} intermediate CAs below it, the path has ${below}`,
    );
  }
}

/**
 * The status a set of CRLs gives `cert`: CRLs by its issuer whose signature verifies with the
 * issuer's key and that were issued by the validation time. When the signature time is known, only
 * a CRL issued after it can vouch that the certificate was not revoked when it was made.
 */
function revocationOf(
  cert: CertificateInfo,
  issuer: CertificateInfo,
  crls: readonly CrlInfo[],
  policy: ValidationPolicy,
  signatureTime: Date | undefined,
  at: Date,
): RevocationResult {
  if (issuer.keyUsage && !issuer.keyUsage.has('cRLSign')) return { status: 'unknown' };
  let vouched = false;
  for (const crl of crls) {
    if (!crl.issuerDer.equals(cert.issuerDer) || crl.thisUpdate > at) continue;
    if (crl.unknownCriticalExtensions.length > 0) continue;
    if (!crlSignedBy(crl, issuer, policy)) continue;
    const entry = crl.revoked.get(cert.serialHex);
    if (entry && entry.reason !== 8) {
      return {
        status: 'revoked',
        date: entry.revocationDate,
        ...(entry.reason === undefined ? {} : { reason: entry.reason }),
      };
    }
    if (!crl.isDelta && (signatureTime === undefined || crl.thisUpdate >= signatureTime)) {
      vouched = true;
    }
  }
  return { status: vouched ? 'good' : 'unknown' };
}

const crlCheckCache = new WeakMap<CrlInfo, Map<string, boolean>>();

function crlSignedBy(crl: CrlInfo, issuer: CertificateInfo, policy: ValidationPolicy): boolean {
  const cache = crlCheckCache.get(crl) ?? new Map<string, boolean>();
  crlCheckCache.set(crl, cache);
  const cached = cache.get(issuer.fingerprint);
  if (cached !== undefined) return cached;
  const key = issuer.x509.publicKey;
  const algorithm = resolveSignatureAlgorithm(crl.signatureAlgorithm);
  const ok =
    algorithm.ok &&
    checkAlgorithms(policy, { hash: algorithm.hash, publicKey: key, purpose: 'crl' }).ok &&
    verifySignatureValue(algorithm, key, crl.tbsDer, crl.signature);
  cache.set(issuer.fingerprint, ok);
  return ok;
}
