import { DomainError } from '#shared/errors.ts';
import {
  type Asn1,
  Asn1FormatError,
  algorithmOf,
  bytesOf,
  childrenOf,
  derOf,
  encodeDer,
  integerHexOf,
  isContext,
  isUniversal,
  octetsOf,
  oidOf,
  type ParseDerOptions,
  parseDer,
  rawOf,
  sequenceOf,
  smallIntegerOf,
  timeOf,
  Universal,
} from './asn1.ts';
import { setOf } from './der.ts';

/** The CMS blob is not a well-formed RFC 5652 SignedData; `cause` holds the underlying error. */
export class CmsFormatError extends DomainError {}

export const Oids = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  adbeRevocationInfoArchival: '1.2.840.113583.1.1.8',
  ocspResponse: '1.3.6.1.5.5.7.16.2',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  mgf1: '1.2.840.113549.1.1.8',
  rsassaPss: '1.2.840.113549.1.1.10',
} as const;

/** How a SignerInfo names its certificate (RFC 5652 §5.3). */
export type SignerIdentifier =
  | { readonly type: 'issuerAndSerial'; readonly issuerDer: Buffer; readonly serialHex: string }
  | { readonly type: 'subjectKeyIdentifier'; readonly keyIdHex: string };

/** RSASSA-PSS-params (RFC 4055 §3.1) with the defaults filled in. */
export interface RsaPssParameters {
  readonly hashOid: string;
  readonly mgf1HashOid: string;
  readonly saltLength: number;
  readonly trailerField: number;
}

export interface SignatureAlgorithmInfo {
  readonly oid: string;
  /** DER of the parameters, when present (NULL included). */
  readonly parametersDer?: Buffer;
  readonly pss?: RsaPssParameters;
}

/** One ESSCertID / ESSCertIDv2 (RFC 2634 §5.4, RFC 5035 §4). */
export interface EssCertId {
  /** sha1 for v1; for v2 the stated algorithm, sha256 when defaulted. */
  readonly hashAlgorithmOid: string;
  readonly certHash: Buffer;
  readonly issuerSerial?: {
    /** DER of each directoryName among the GeneralNames (other name forms are not kept). */
    readonly issuerNamesDer: readonly Buffer[];
    readonly serialHex: string;
  };
}

export interface SigningCertificateAttribute {
  readonly version: 1 | 2;
  /** The first entry identifies the signing certificate; the others may narrow its path. */
  readonly certs: readonly EssCertId[];
}

/** Adobe's revocationInfoArchival signed attribute: revocation data captured at signing time. */
export interface RevocationInfoArchival {
  readonly crls: readonly Buffer[];
  readonly ocspResponses: readonly Buffer[];
}

export interface SignedAttributes {
  /**
   * The attributes as encoded, re-tagged SET OF (0x31): the bytes the signature covers (RFC 5652
   * §5.4). Kept byte for byte, not re-encoded, so a signer's non-DER quirks still verify.
   */
  readonly der: Buffer;
  /** A strict DER re-encoding, present only when it differs from `der` (signers vary on which they sign). */
  readonly reencodedDer?: Buffer;
  /** Attribute type OIDs in their encoded order. */
  readonly types: readonly string[];
  readonly contentType?: string;
  readonly messageDigest?: Buffer;
  readonly signingTime?: Date;
  readonly signingCertificate?: SigningCertificateAttribute;
  readonly signingCertificateV2?: SigningCertificateAttribute;
  readonly revocationInfoArchival?: RevocationInfoArchival;
}

export interface UnsignedAttributes {
  readonly types: readonly string[];
  /** DER ContentInfo of each signatureTimeStampToken (RFC 3161 TimeStampToken). */
  readonly signatureTimeStampTokens: readonly Buffer[];
}

export interface SignerInfoData {
  readonly version: number;
  readonly sid: SignerIdentifier;
  readonly digestAlgorithmOid: string;
  readonly signedAttrs?: SignedAttributes;
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  readonly signature: Buffer;
  readonly unsignedAttrs?: UnsignedAttributes;
}

export interface EncapsulatedContentInfo {
  readonly eContentType: string;
  readonly hasEContent: boolean;
  /** The encapsulated content (joined when BER-chunked); absent for detached signatures. */
  readonly eContent?: Buffer;
}

export interface SignedDataInfo {
  readonly version: number;
  readonly digestAlgorithmOids: readonly string[];
  readonly encapContentInfo: EncapsulatedContentInfo;
  /** DER X.509 certificates; attribute certificates and other choices are skipped. */
  readonly certificates: readonly Buffer[];
  /** DER CertificateLists of the `crls` field. */
  readonly crls: readonly Buffer[];
  /** DER OCSPResponses carried as id-ri-ocsp-response in the `crls` field (RFC 5940). */
  readonly ocspResponses: readonly Buffer[];
  readonly signerInfos: readonly SignerInfoData[];
}

/**
 * Parses an RFC 5652 ContentInfo holding SignedData, as found in a PDF /Contents or an RFC 3161
 * TimeStampToken. Zero padding after the object is accepted (PDF reserves /Contents larger than
 * the CMS); anything else that is not well-formed raises `CmsFormatError`, never a forge error.
 */
export function parseSignedData(der: Buffer, options: ParseDerOptions = {}): SignedDataInfo {
  try {
    const root = parseDer(der, { allowTrailingZeros: true, ...options });
    return readContentInfo(root);
  } catch (error) {
    if (error instanceof CmsFormatError) throw error;
    if (error instanceof Asn1FormatError || error instanceof RangeError) {
      throw new CmsFormatError(`malformed CMS: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * The only SignerInfo. PAdES (EN 319 142-1 §5.1) and RFC 3161 allow exactly one; a second one
 * could carry a signer a viewer would show while another is validated.
 */
export function onlySigner(sd: SignedDataInfo): SignerInfoData {
  const [signer, ...others] = sd.signerInfos;
  if (signer === undefined) throw new CmsFormatError('the SignedData has no SignerInfo');
  if (others.length > 0) {
    throw new CmsFormatError(`the SignedData has ${sd.signerInfos.length} SignerInfos, not one`);
  }
  return signer;
}

/**
 * The CRLs a signature carries itself: the SignedData `crls` field and Adobe's
 * revocationInfoArchival signed attribute. The PDF layer adds the /DSS ones and configured ones.
 */
export function crlsCarriedBy(sd: SignedDataInfo, signer: SignerInfoData): Buffer[] {
  return [...sd.crls, ...(signer.signedAttrs?.revocationInfoArchival?.crls ?? [])];
}

function readContentInfo(root: Asn1): SignedDataInfo {
  const [typeNode, content, ...rest] = sequenceOf(root, 'ContentInfo');
  if (rest.length > 0) throw new CmsFormatError('ContentInfo: unexpected elements');
  const contentType = oidOf(typeNode, 'ContentInfo contentType');
  if (contentType !== Oids.signedData) {
    throw new CmsFormatError(`ContentInfo holds ${contentType}, not SignedData`);
  }
  if (!isContext(content, 0)) throw new CmsFormatError('ContentInfo: missing [0] content');
  const [signedData, ...extra] = childrenOf(content, 'ContentInfo content');
  if (extra.length > 0) throw new CmsFormatError('ContentInfo: [0] holds more than SignedData');
  return readSignedData(signedData);
}

function readSignedData(node: Asn1 | undefined): SignedDataInfo {
  const items = [...sequenceOf(node, 'SignedData')];
  const version = smallIntegerOf(items.shift(), 'SignedData version');
  const digestAlgorithmOids = sequenceOf(items.shift(), 'digestAlgorithms', Universal.set).map(
    (a) => algorithmOf(a, 'digestAlgorithm').oid,
  );
  const encapContentInfo = readEncapContentInfo(items.shift());
  const certificates: Buffer[] = [];
  const crls: Buffer[] = [];
  const ocspResponses: Buffer[] = [];
  if (isContext(items[0], 0)) {
    const set = items.shift();
    for (const choice of set ? childrenOf(set, 'certificates') : []) {
      if (isUniversal(choice, Universal.sequence)) certificates.push(derOf(choice));
    }
  }
  if (isContext(items[0], 1)) {
    const set = items.shift();
    for (const choice of set ? childrenOf(set, 'crls') : []) {
      if (isUniversal(choice, Universal.sequence)) {
        crls.push(derOf(choice));
      } else if (isContext(choice, 1)) {
        const [format, value] = childrenOf(choice, 'OtherRevocationInfoFormat');
        if (oidOf(format, 'otherRevInfoFormat') === Oids.ocspResponse && value !== undefined) {
          ocspResponses.push(derOf(value));
        }
      }
    }
  }
  const signerSet = items.shift();
  if (items.length > 0) throw new CmsFormatError('SignedData: unexpected elements');
  const signerInfos = sequenceOf(signerSet, 'signerInfos', Universal.set).map(readSignerInfo);
  return {
    version,
    digestAlgorithmOids,
    encapContentInfo,
    certificates,
    crls,
    ocspResponses,
    signerInfos,
  };
}

function readEncapContentInfo(node: Asn1 | undefined): EncapsulatedContentInfo {
  const [typeNode, content, ...rest] = sequenceOf(node, 'EncapsulatedContentInfo');
  if (rest.length > 0) throw new CmsFormatError('EncapsulatedContentInfo: unexpected elements');
  const eContentType = oidOf(typeNode, 'eContentType');
  if (content === undefined) return { eContentType, hasEContent: false };
  if (!isContext(content, 0)) throw new CmsFormatError('EncapsulatedContentInfo: bad eContent tag');
  const [octets, ...more] = childrenOf(content, 'eContent');
  if (more.length > 0) throw new CmsFormatError('eContent: more than one OCTET STRING');
  return { eContentType, hasEContent: true, eContent: octetsOf(octets, 'eContent') };
}

function readSignerInfo(node: Asn1): SignerInfoData {
  const items = [...sequenceOf(node, 'SignerInfo')];
  const version = smallIntegerOf(items.shift(), 'SignerInfo version');
  const sid = readSignerIdentifier(items.shift());
  const digestAlgorithmOid = algorithmOf(items.shift(), 'SignerInfo digestAlgorithm').oid;
  const signedAttrs = isContext(items[0], 0) ? readSignedAttributes(items.shift()) : undefined;
  const signatureAlgorithm = signatureAlgorithmOf(items.shift());
  const signature = octetsOf(items.shift(), 'SignerInfo signature');
  const unsignedAttrs = isContext(items[0], 1) ? readUnsignedAttributes(items.shift()) : undefined;
  if (items.length > 0) throw new CmsFormatError('SignerInfo: unexpected elements');
  return {
    version,
    sid,
    digestAlgorithmOid,
    ...(signedAttrs ? { signedAttrs } : {}),
    signatureAlgorithm,
    signature,
    ...(unsignedAttrs ? { unsignedAttrs } : {}),
  };
}

function readSignerIdentifier(node: Asn1 | undefined): SignerIdentifier {
  if (isContext(node, 0) && typeof node.value === 'string') {
    return { type: 'subjectKeyIdentifier', keyIdHex: bytesOf(node).toString('hex') };
  }
  const [issuer, serial, ...rest] = sequenceOf(node, 'SignerIdentifier');
  if (rest.length > 0 || !isUniversal(issuer, Universal.sequence)) {
    throw new CmsFormatError('IssuerAndSerialNumber: malformed');
  }
  return {
    type: 'issuerAndSerial',
    issuerDer: derOf(issuer),
    serialHex: integerHexOf(serial, 'IssuerAndSerialNumber serialNumber'),
  };
}

/** An AlgorithmIdentifier used as a signature algorithm (also in certificates and CRLs). */
export function signatureAlgorithmOf(node: Asn1 | undefined): SignatureAlgorithmInfo {
  const algorithm = algorithmOf(node, 'signatureAlgorithm');
  if (algorithm.parameters === undefined) return { oid: algorithm.oid };
  const parametersDer = derOf(algorithm.parameters);
  if (algorithm.oid !== Oids.rsassaPss) return { oid: algorithm.oid, parametersDer };
  return { oid: algorithm.oid, parametersDer, pss: readPssParameters(algorithm.parameters) };
}

/** RSASSA-PSS-params; every field has a DEFAULT (sha1, MGF1-sha1, 20, 1). */
export function readPssParameters(node: Asn1): RsaPssParameters {
  let hashOid: string = Oids.sha1;
  let mgf1HashOid: string = Oids.sha1;
  let saltLength = 20;
  let trailerField = 1;
  for (const field of sequenceOf(node, 'RSASSA-PSS-params')) {
    const [inner] = childrenOf(field, 'RSASSA-PSS-params field');
    if (isContext(field, 0)) {
      hashOid = algorithmOf(inner, 'PSS hashAlgorithm').oid;
    } else if (isContext(field, 1)) {
      const mgf = algorithmOf(inner, 'PSS maskGenAlgorithm');
      if (mgf.oid !== Oids.mgf1)
        throw new CmsFormatError(`PSS: unsupported mask generation ${mgf.oid}`);
      mgf1HashOid = algorithmOf(mgf.parameters, 'MGF1 hash').oid;
    } else if (isContext(field, 2)) {
      saltLength = smallIntegerOf(inner, 'PSS saltLength');
    } else if (isContext(field, 3)) {
      trailerField = smallIntegerOf(inner, 'PSS trailerField');
    } else {
      throw new CmsFormatError('RSASSA-PSS-params: unexpected field');
    }
  }
  return { hashOid, mgf1HashOid, saltLength, trailerField };
}

interface Attribute {
  readonly type: string;
  readonly values: Asn1[];
}

function readAttributes(node: Asn1, what: string): Attribute[] {
  return childrenOf(node, what).map((attribute) => {
    const [typeNode, valuesNode, ...rest] = sequenceOf(attribute, `${what} Attribute`);
    if (rest.length > 0) throw new CmsFormatError(`${what}: malformed Attribute`);
    const type = oidOf(typeNode, `${what} attrType`);
    return { type, values: sequenceOf(valuesNode, `${what} attrValues`, Universal.set) };
  });
}

/** The single value of an attribute that RFC 5652 §11 / RFC 5035 allow only once, with one value. */
function singleValue(attributes: Attribute[], type: string, name: string): Asn1 | undefined {
  const matches = attributes.filter((a) => a.type === type);
  if (matches.length === 0) return undefined;
  const [first] = matches;
  if (matches.length > 1 || first === undefined) {
    throw new CmsFormatError(`signed attributes hold ${name} more than once`);
  }
  const [value, ...others] = first.values;
  if (value === undefined || others.length > 0) {
    throw new CmsFormatError(`the ${name} attribute must have exactly one value`);
  }
  return value;
}

function readSignedAttributes(node: Asn1 | undefined): SignedAttributes {
  if (node === undefined || !Array.isArray(node.value)) {
    throw new CmsFormatError('signedAttrs: malformed');
  }
  // DER orders SET OF elements by their encodings (X.690 §11.6); forge's encoder keeps file order.
  const reencoded = setOf(...node.value.map((attribute) => encodeDer(attribute)));
  const original = rawOf(node);
  const der = original ? Buffer.from(original) : reencoded;
  der[0] = 0x31;
  const attributes = readAttributes(node, 'signedAttrs');
  const contentType = singleValue(attributes, Oids.contentType, 'contentType');
  const messageDigest = singleValue(attributes, Oids.messageDigest, 'messageDigest');
  const signingTime = singleValue(attributes, Oids.signingTime, 'signingTime');
  const essV1 = singleValue(attributes, Oids.signingCertificate, 'signingCertificate');
  const essV2 = singleValue(attributes, Oids.signingCertificateV2, 'signingCertificateV2');
  const revocation = singleValue(
    attributes,
    Oids.adbeRevocationInfoArchival,
    'adbe-revocationInfoArchival',
  );
  return {
    der,
    ...(der.equals(reencoded) ? {} : { reencodedDer: reencoded }),
    types: attributes.map((a) => a.type),
    ...(contentType ? { contentType: oidOf(contentType, 'contentType attribute') } : {}),
    ...(messageDigest ? { messageDigest: octetsOf(messageDigest, 'messageDigest attribute') } : {}),
    ...(signingTime ? { signingTime: timeOf(signingTime, 'signingTime attribute') } : {}),
    ...(essV1 ? { signingCertificate: readSigningCertificate(essV1, 1) } : {}),
    ...(essV2 ? { signingCertificateV2: readSigningCertificate(essV2, 2) } : {}),
    ...(revocation ? { revocationInfoArchival: readRevocationInfoArchival(revocation) } : {}),
  };
}

function readSigningCertificate(node: Asn1, version: 1 | 2): SigningCertificateAttribute {
  const what = version === 1 ? 'SigningCertificate' : 'SigningCertificateV2';
  const [certs] = sequenceOf(node, what);
  const ids = sequenceOf(certs, `${what} certs`).map((id) => readEssCertId(id, version, what));
  if (ids.length === 0) throw new CmsFormatError(`${what}: no certificate identifier`);
  return { version, certs: ids };
}

function readEssCertId(node: Asn1, version: 1 | 2, what: string): EssCertId {
  const items = [...sequenceOf(node, `${what} ESSCertID`)];
  let hashAlgorithmOid: string = version === 1 ? Oids.sha1 : Oids.sha256;
  if (version === 2 && isUniversal(items[0], Universal.sequence)) {
    hashAlgorithmOid = algorithmOf(items.shift(), `${what} hashAlgorithm`).oid;
  }
  const certHash = octetsOf(items.shift(), `${what} certHash`);
  const issuerSerialNode = items.shift();
  if (items.length > 0) throw new CmsFormatError(`${what}: unexpected elements in ESSCertID`);
  if (issuerSerialNode === undefined) return { hashAlgorithmOid, certHash };
  const [names, serial] = sequenceOf(issuerSerialNode, `${what} IssuerSerial`);
  const issuerNamesDer = sequenceOf(names, `${what} issuer GeneralNames`)
    .filter((name) => isContext(name, 4))
    .map((name) => {
      const [inner] = childrenOf(name, 'directoryName');
      if (!isUniversal(inner, Universal.sequence))
        throw new CmsFormatError('directoryName: bad Name');
      return derOf(inner);
    });
  return {
    hashAlgorithmOid,
    certHash,
    issuerSerial: { issuerNamesDer, serialHex: integerHexOf(serial, `${what} serialNumber`) },
  };
}

function readRevocationInfoArchival(node: Asn1): RevocationInfoArchival {
  const crls: Buffer[] = [];
  const ocspResponses: Buffer[] = [];
  for (const field of sequenceOf(node, 'RevocationInfoArchival')) {
    const [list] = isContext(field, 0) || isContext(field, 1) ? childrenOf(field, 'archival') : [];
    if (list === undefined) continue;
    const items = sequenceOf(list, 'RevocationInfoArchival list').map(derOf);
    (isContext(field, 0) ? crls : ocspResponses).push(...items);
  }
  return { crls, ocspResponses };
}

function readUnsignedAttributes(node: Asn1 | undefined): UnsignedAttributes {
  if (node === undefined) throw new CmsFormatError('unsignedAttrs: missing');
  const attributes = readAttributes(node, 'unsignedAttrs');
  return {
    types: attributes.map((a) => a.type),
    signatureTimeStampTokens: attributes
      .filter((a) => a.type === Oids.signatureTimeStampToken)
      .flatMap((a) => a.values.map(derOf)),
  };
}
