import * as z from 'zod';
import type { SignatureAlgorithm, Signer } from '#ports/signer.ts';
import {
  AttachmentBudget,
  DEFAULT_EDXML_LIMITS,
  type EdxmlLimits,
  maxInputBytesOf,
  sha256Hex,
  verifyDigest,
} from './attachments.ts';
import { EdxmlFormatError, EdxmlIntegrityError } from './errors.ts';
import {
  documentIdSchema,
  edxmlDateSchema,
  edxmlTimestampSchema,
  group,
  organIdSchema,
  organizationSchema,
  requiredTextSchema,
  responseForSchema,
  sha256HexSchema,
  staffInfoSchema,
  textSchema,
} from './fields.ts';
import {
  envelopeSignatureSchema,
  SIGNATURE_ELEMENT,
  signEnvelope,
  verifyEnvelope,
} from './signature.ts';
import {
  EDXML_NAMESPACE,
  EDXML_PREFIX,
  HUB_NAMESPACE,
  HUB_PREFIX,
  type PlainObject,
  plainToNodes,
  readXml,
  serialize,
  toPlain,
  validatePlain,
  type XmlElement,
} from './xml.ts';

/*
 * Structure choices where domain.md is silent (following the public SDK samples of the axis):
 * - Package: `<edXML xmlns=NS xmlns:edXML=NS>` wrapping `edXML:edXMLEnvelope` (header + body) and,
 *   after it, `edXML:AttachmentEncoded/edXML:Attachment` (ContentId, AttachmentName, ContentType,
 *   Description, ContentTransferEncoded = base64). The SDK writes AttachmentEncoded unprefixed in
 *   the default namespace, which is the same namespace; we prefix it like everything else. A bare
 *   `edXMLEnvelope` root is accepted on input.
 * - Body: `edXMLBody/edXMLManifest/Reference` with ContentId, ContentType, Description,
 *   AttachmentName. We add `hub:sha256` and `hub:size` attributes (namespace HUB_NAMESPACE) to
 *   each Reference: QCVN 102 has no digest field, and a foreign-namespace attribute is the least
 *   likely extension to upset a schema validator. The manifest gets `version="1.0"` as in the
 *   samples; no xlink:href is written.
 * - TraceHeaderList may carry the SDK's `Bussiness` block (BussinessDocType, BussinessDocReason,
 *   StaffInfo, Paper); its other children (replacement lists for updates) are not modelled yet.
 * - MessageHeader child order is domain.md's (DocumentId right after To); OtherInfo/Appendixes
 *   holds Appendix elements. Values are kept as the strings on the wire. Names are domain.md's
 *   where the issue differs (PromulgationInfo; SphereOfPromulgation and TyperNotation, not
 *   SphereOfPhotocopy/TypeOfPhotocopy). OrganId uses the repo's agency-id rule (13 characters).
 * - Attributes in the QCVN namespace or none (manifest version, TraceHeaderList id/actor, xlink)
 *   are ignored on input. An XML-DSig `Signature` in the header is accepted but not verified (we
 *   have no C14N); `xmlDsigPresent` says it was there. Our own organization signature
 *   (`hub:EnvelopeSignature`, see signature.ts) is verified when present.
 */

/** OtherInfo/Priority: 0 normal, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ. */
export const EDXML_PRIORITIES = ['0', '1', '2', '3', '4'] as const;
export type EdxmlPriority = (typeof EDXML_PRIORITIES)[number];

const countSchema = z.string().regex(/^\d{1,9}$/, 'must be a whole number');

export const messageHeaderSchema = group({
  From: organizationSchema,
  To: z.array(organizationSchema).min(1),
  DocumentId: documentIdSchema,
  Code: group({ CodeNumber: requiredTextSchema, CodeNotation: requiredTextSchema }),
  PromulgationInfo: group({ Place: requiredTextSchema, PromulgationDate: edxmlDateSchema }),
  DocumentType: group({
    Type: requiredTextSchema,
    TypeDetail: textSchema.optional(),
    TypeName: textSchema.optional(),
  }),
  Subject: requiredTextSchema,
  Content: textSchema.optional(),
  SignerInfo: group({
    Competence: textSchema.optional(),
    Position: textSchema.optional(),
    FullName: requiredTextSchema,
  }),
  DueDate: edxmlDateSchema.optional(),
  ToPlaces: group({ Place: z.array(requiredTextSchema).min(1) }).optional(),
  OtherInfo: group({
    Priority: z.enum(EDXML_PRIORITIES).optional(),
    SphereOfPromulgation: textSchema.optional(),
    TyperNotation: textSchema.optional(),
    PromulgationAmount: countSchema.optional(),
    PageAmount: countSchema.optional(),
    Direction: z.enum(['true', 'false']).optional(),
    Appendixes: group({ Appendix: z.array(textSchema).min(1) }).optional(),
  }).optional(),
  ResponseFor: z.array(responseForSchema).min(1).optional(),
  SteeringType: textSchema.optional(),
});
export type EdxmlMessageHeader = z.output<typeof messageHeaderSchema>;

export const traceHeaderListSchema = group({
  TraceHeader: z.array(group({ OrganId: organIdSchema, Timestamp: edxmlTimestampSchema })).min(1),
  Bussiness: group({
    BussinessDocType: z.string().regex(/^\d$/, 'must be a single digit'),
    BussinessDocReason: textSchema.optional(),
    StaffInfo: staffInfoSchema.optional(),
    Paper: z.enum(['0', '1']).optional(),
  }).optional(),
});
export type EdxmlTraceHeaderList = z.output<typeof traceHeaderListSchema>;

const attachmentMetadataShape = {
  ContentId: requiredTextSchema,
  ContentType: requiredTextSchema,
  Description: textSchema.optional(),
  AttachmentName: requiredTextSchema,
};

const referenceSchema = group({
  '@hub:sha256': sha256HexSchema.optional(),
  '@hub:size': countSchema.optional(),
  ...attachmentMetadataShape,
});

const encodedAttachmentSchema = group({
  ContentId: requiredTextSchema,
  AttachmentName: textSchema.optional(),
  ContentType: textSchema.optional(),
  Description: textSchema.optional(),
  ContentTransferEncoded: z.string(),
});

const packageSchema = group({
  edXMLEnvelope: group({
    edXMLHeader: group({
      MessageHeader: messageHeaderSchema,
      TraceHeaderList: traceHeaderListSchema,
      [SIGNATURE_ELEMENT]: envelopeSignatureSchema.optional(),
    }),
    edXMLBody: group({
      edXMLManifest: group({ Reference: z.array(referenceSchema).min(1).optional() }),
    }),
  }),
  AttachmentEncoded: group({ Attachment: z.array(encodedAttachmentSchema).min(1) }).optional(),
});

/** Children that may repeat, as `Parent/Child`; every other element may appear once. */
const REPEATABLE: ReadonlySet<string> = new Set([
  'MessageHeader/To',
  'MessageHeader/ResponseFor',
  'ToPlaces/Place',
  'Appendixes/Appendix',
  'TraceHeaderList/TraceHeader',
  'edXMLManifest/Reference',
  'AttachmentEncoded/Attachment',
]);

const attachmentInputSchema = z.strictObject({
  ...attachmentMetadataShape,
  content: z.instanceof(Uint8Array),
});

/** One attachment: its manifest entry and its bytes. */
export interface EdxmlAttachment {
  readonly ContentId: string;
  readonly ContentType: string;
  readonly Description?: string;
  readonly AttachmentName: string;
  readonly content: Buffer;
}

/** An attachment read from a package, checked against its manifest entry. */
export interface VerifiedAttachment extends EdxmlAttachment {
  /** SHA-256 hex of `content`, computed here (and equal to the manifest's when it gave one). */
  readonly sha256: string;
  readonly size: number;
}

/** An edXML document package: header, trace list and attachments. */
export interface EdxmlDocument {
  readonly MessageHeader: EdxmlMessageHeader;
  readonly TraceHeaderList: EdxmlTraceHeaderList;
  readonly attachments: readonly EdxmlAttachment[];
}

export interface ParsedEdxmlDocument extends EdxmlDocument {
  readonly attachments: readonly VerifiedAttachment[];
  /** An XML-DSig Signature was present in the header; it was not verified. */
  readonly xmlDsigPresent: boolean;
  /**
   * Present when the envelope carried our organization signature and it verified (see
   * signature.ts for what that covers). Whether `publicKey` is the sender's is the caller's check.
   */
  readonly signature?: { readonly algorithm: SignatureAlgorithm; readonly publicKey: Buffer };
}

export interface EdxmlParseOptions {
  /** @default DEFAULT_EDXML_LIMITS */
  readonly limits?: EdxmlLimits;
  /**
   * Refuse manifest entries without `hub:sha256`/`hub:size`. Packages from systems other than
   * edoc-hub never carry them; the axis connector turns this off for those.
   * @default true
   */
  readonly requireDigests?: boolean;
}

const XMLDSIG_SIGNATURE_KEY = '{http://www.w3.org/2000/09/xmldsig#}Signature';
const ROOT_NAMESPACES = {
  xmlns: EDXML_NAMESPACE,
  [`xmlns:${EDXML_PREFIX}`]: EDXML_NAMESPACE,
  [`xmlns:${HUB_PREFIX}`]: HUB_NAMESPACE,
};

interface PreparedPackage {
  readonly header: PlainObject;
  readonly manifest: PlainObject;
  readonly encoded: PlainObject[];
}

function preparePackage(document: EdxmlDocument, limits: EdxmlLimits): PreparedPackage {
  const header = validatePlain(
    group({ MessageHeader: messageHeaderSchema, TraceHeaderList: traceHeaderListSchema }),
    { MessageHeader: document.MessageHeader, TraceHeaderList: document.TraceHeaderList },
    'edXMLEnvelope/edXMLHeader',
  );
  const budget = new AttachmentBudget(limits);
  budget.checkCount(document.attachments.length, 'attachments');
  const seen = new Set<string>();
  const references: PlainObject[] = [];
  const encoded: PlainObject[] = [];
  document.attachments.forEach((input, i) => {
    const path = `attachments[${i + 1}]`;
    const attachment = validatePlain(attachmentInputSchema, input, path);
    if (seen.has(attachment.ContentId)) {
      throw new EdxmlFormatError(`duplicate ContentId ${attachment.ContentId}`, path);
    }
    seen.add(attachment.ContentId);
    budget.spend(attachment.content.byteLength, path);
    const { content, ...metadata } = attachment;
    references.push({
      '@hub:sha256': sha256Hex(content),
      '@hub:size': String(content.byteLength),
      ...metadata,
    });
    encoded.push({
      ContentId: metadata.ContentId,
      AttachmentName: metadata.AttachmentName,
      ContentType: metadata.ContentType,
      ...(metadata.Description === undefined ? {} : { Description: metadata.Description }),
      ContentTransferEncoded: Buffer.from(
        content.buffer,
        content.byteOffset,
        content.byteLength,
      ).toString('base64'),
    });
  });
  return { header, manifest: manifestOf(references), encoded };
}

function manifestOf(references: PlainObject[]): PlainObject {
  return references.length > 0
    ? { '@version': '1.0', Reference: references }
    : { '@version': '1.0' };
}

function packageXml(prepared: PreparedPackage, signature?: PlainObject): Buffer {
  const header = signature
    ? { ...prepared.header, [SIGNATURE_ELEMENT]: signature }
    : prepared.header;
  const plain: PlainObject = {
    edXMLEnvelope: { edXMLHeader: header, edXMLBody: { edXMLManifest: prepared.manifest } },
    ...(prepared.encoded.length > 0 ? { AttachmentEncoded: { Attachment: prepared.encoded } } : {}),
  };
  return Buffer.from(serialize('edXML', ROOT_NAMESPACES, plainToNodes(plain)), 'utf8');
}

/** The bytes the envelope signature covers: see signature.ts. */
function canonicalEnvelope(header: PlainObject, manifest: PlainObject): Buffer {
  const nodes = plainToNodes({ edXMLHeader: header, edXMLBody: { edXMLManifest: manifest } });
  const namespaces = {
    [`xmlns:${EDXML_PREFIX}`]: EDXML_NAMESPACE,
    [`xmlns:${HUB_PREFIX}`]: HUB_NAMESPACE,
  };
  return Buffer.from(serialize(`${EDXML_PREFIX}:edXMLEnvelope`, namespaces, nodes), 'utf8');
}

/**
 * The edXML package for a document: UTF-8 bytes, ready for `sendEdoc` (whose `hash-file` hashes them).
 * The header is validated with the same schema the parser uses, so we never send what we would
 * refuse; attachments are checked against the same limits.
 */
export function buildEdxmlDocument(
  document: EdxmlDocument,
  limits: EdxmlLimits = DEFAULT_EDXML_LIMITS,
): Buffer {
  return packageXml(preparePackage(document, limits));
}

/**
 * The same package with the organization's signature over the envelope in
 * `edXMLHeader/hub:EnvelopeSignature` — our own scheme, not XML-DSig (see signature.ts).
 */
export async function buildSignedEdxmlDocument(
  document: EdxmlDocument,
  signer: Signer,
  limits: EdxmlLimits = DEFAULT_EDXML_LIMITS,
): Promise<Buffer> {
  const prepared = preparePackage(document, limits);
  const signature = await signEnvelope(
    canonicalEnvelope(prepared.header, prepared.manifest),
    signer,
  );
  return packageXml(prepared, signature);
}

/**
 * Read an edXML document package. Returns the whole document, every attachment decoded and
 * checked against its manifest entry, or throws an EdxmlFormatError (or one of its subclasses)
 * naming the offending element.
 */
export function parseEdxmlDocument(
  input: Uint8Array | string,
  options: EdxmlParseOptions = {},
): ParsedEdxmlDocument {
  const limits = options.limits ?? DEFAULT_EDXML_LIMITS;
  const requireDigests = options.requireDigests ?? true;
  const root = readXml(input, maxInputBytesOf(limits));
  const { plain, basePath } = packagePlain(root);

  const budget = new AttachmentBudget(limits);
  budget.checkCount(
    countOf(plain, ['edXMLEnvelope', 'edXMLBody', 'edXMLManifest', 'Reference']),
    `${basePath}/edXMLEnvelope/edXMLBody/edXMLManifest`,
  );
  budget.checkCount(
    countOf(plain, ['AttachmentEncoded', 'Attachment']),
    `${basePath}/AttachmentEncoded`,
  );
  const xmlDsigPresent = removeXmlDsig(plain);

  const parsed = validatePlain(packageSchema, plain, basePath);
  const { MessageHeader, TraceHeaderList } = parsed.edXMLEnvelope.edXMLHeader;
  const envelopeSignature = parsed.edXMLEnvelope.edXMLHeader[SIGNATURE_ELEMENT];
  const references = parsed.edXMLEnvelope.edXMLBody.edXMLManifest.Reference ?? [];
  let signature: ParsedEdxmlDocument['signature'];
  if (envelopeSignature !== undefined) {
    const canonical = canonicalEnvelope({ MessageHeader, TraceHeaderList }, manifestOf(references));
    const path = `${basePath}/edXMLEnvelope/edXMLHeader/${SIGNATURE_ELEMENT}`;
    const publicKey = verifyEnvelope(canonical, envelopeSignature, path);
    signature = { algorithm: envelopeSignature['hub:Algorithm'], publicKey };
  }
  const encoded = parsed.AttachmentEncoded?.Attachment ?? [];
  const manifestPath = `${basePath}/edXMLEnvelope/edXMLBody/edXMLManifest`;

  const byContentId = new Map<string, { value: (typeof encoded)[number]; path: string }>();
  encoded.forEach((value, i) => {
    const path = `${basePath}/AttachmentEncoded/Attachment[${i + 1}]`;
    if (byContentId.has(value.ContentId)) {
      throw new EdxmlFormatError(`duplicate ContentId ${value.ContentId}`, path);
    }
    byContentId.set(value.ContentId, { value, path });
  });

  const attachments = references.map((reference, i): VerifiedAttachment => {
    const path = `${manifestPath}/Reference[${i + 1}]`;
    const sha256 = reference['@hub:sha256'];
    const size = reference['@hub:size'];
    if (requireDigests && (sha256 === undefined || size === undefined)) {
      throw new EdxmlIntegrityError('manifest entry without hub:sha256 and hub:size', path);
    }
    const entry = byContentId.get(reference.ContentId);
    if (entry === undefined) {
      throw new EdxmlIntegrityError(`no attachment with ContentId ${reference.ContentId}`, path);
    }
    byContentId.delete(reference.ContentId);
    for (const field of ['AttachmentName', 'ContentType', 'Description'] as const) {
      const value = entry.value[field];
      if (value !== undefined && value !== reference[field]) {
        throw new EdxmlIntegrityError(
          `${field} differs from the manifest`,
          `${entry.path}/${field}`,
        );
      }
    }
    const content = budget.decode(
      entry.value.ContentTransferEncoded,
      `${entry.path}/ContentTransferEncoded`,
    );
    const digest = verifyDigest(
      content,
      { sha256, size: size === undefined ? undefined : Number(size) },
      entry.path,
    );
    return {
      ContentId: reference.ContentId,
      ContentType: reference.ContentType,
      ...(reference.Description === undefined ? {} : { Description: reference.Description }),
      AttachmentName: reference.AttachmentName,
      content,
      sha256: digest,
      size: content.byteLength,
    };
  });
  const [orphan] = byContentId.values();
  if (orphan !== undefined) {
    throw new EdxmlIntegrityError(
      `attachment ${orphan.value.ContentId} is not in the manifest`,
      orphan.path,
    );
  }
  return {
    MessageHeader,
    TraceHeaderList,
    attachments,
    xmlDsigPresent,
    ...(signature === undefined ? {} : { signature }),
  };
}

/** The plain form of a package, whether the root is `edXML` or a bare `edXMLEnvelope`. */
function packagePlain(root: XmlElement): { plain: PlainObject; basePath: string } {
  if (root.namespace !== EDXML_NAMESPACE) {
    throw new EdxmlFormatError(
      `root element is not in the namespace ${EDXML_NAMESPACE}`,
      root.path,
    );
  }
  const value = toPlain(root, REPEATABLE);
  const object = typeof value === 'object' && !Array.isArray(value) ? value : {};
  if (root.localName === 'edXML') return { plain: object, basePath: root.path };
  if (root.localName === 'edXMLEnvelope') return { plain: { edXMLEnvelope: object }, basePath: '' };
  throw new EdxmlFormatError('root element must be edXML or edXMLEnvelope', root.path);
}

function countOf(plain: PlainObject, path: readonly string[]): number {
  let cursor: unknown = plain;
  for (const key of path) {
    cursor =
      typeof cursor === 'object' && cursor !== null ? (cursor as PlainObject)[key] : undefined;
  }
  return Array.isArray(cursor) ? cursor.length : 0;
}

function removeXmlDsig(plain: PlainObject): boolean {
  const envelope = plain['edXMLEnvelope'];
  if (typeof envelope !== 'object' || Array.isArray(envelope)) return false;
  const header = envelope['edXMLHeader'];
  if (typeof header !== 'object' || Array.isArray(header) || !(XMLDSIG_SIGNATURE_KEY in header)) {
    return false;
  }
  delete header[XMLDSIG_SIGNATURE_KEY];
  return true;
}
