import { createHash } from 'node:crypto';
import type { EdxmlLimits } from '../edxml/attachments.ts';
import { type ParsedEdxmlDocument, parseEdxmlDocument } from '../edxml/envelope.ts';
import { EdxmlFormatError } from '../edxml/errors.ts';
import {
  type EdxmlOrganization,
  type EdxmlResponseFor,
  formatEdxmlTimestamp,
  responseForSchema,
} from '../edxml/fields.ts';
import { buildStatusMessage, type EdxmlStatusCode } from '../edxml/status-message.ts';
import { EDXML_NAMESPACE, readXml, XML_CHARS, type XmlElement } from '../edxml/xml.ts';
import type { DocumentStore } from '../ports/document-store.ts';
import { AxisRejectedError } from './errors.ts';
import { AXIS_INBOUND_PREFIX } from './keys.ts';
import type { AxisClient, AxisClock, InboundEdoc, InboundEdocs } from './ports.ts';

export interface PollAxisDeps {
  readonly client: AxisClient;
  /** Where received packages are kept, whole, under `inboundPrefix`. */
  readonly store: DocumentStore;
  readonly inbound: InboundEdocs;
  readonly clock: AxisClock;
  /** The organization that answers for the hub when a package names none of ours. */
  readonly self: EdxmlOrganization;
  /** True for the agency identifiers this deployment receives for. */
  readonly servesAgency: (organId: string) => boolean;
}

export interface PollAxisOptions {
  /** Packages handled per poll, so one run fits in the function's timeout. @default 20 */
  readonly maxPerPoll?: number;
  /** @default AXIS_INBOUND_PREFIX */
  readonly inboundPrefix?: string;
  /** Parser limits. @default DEFAULT_EDXML_LIMITS */
  readonly limits?: EdxmlLimits;
}

export interface PollResult {
  /** Stored and acknowledged with 01 (or acknowledged again, when already stored). */
  readonly received: string[];
  /** Answered 02 with the reason; nothing was stored. */
  readonly refused: { readonly docId: string; readonly reason: string }[];
  /**
   * Not even the sender and document could be read, so no status can name it: nothing stored,
   * nothing answered. The axis lists it again next poll; a person has to look.
   */
  readonly unanswerable: { readonly docId: string; readonly reason: string }[];
  /** The axis refused one of our calls about this package (e.g. it vanished); tried next poll. */
  readonly failed: { readonly docId: string; readonly code: string }[];
}

const DEFAULT_MAX_PER_POLL = 20;

/**
 * Receive what the axis holds for us.
 *
 * For each waiting package (at most `maxPerPoll`):
 * 1. Already recorded (an earlier poll stored it but the 01 was lost): acknowledge again.
 * 2. Fetch and parse it with parseEdxmlDocument (digests optional: other systems have none).
 *    Invalid, or addressed to none of our agencies → answer 02 with the reason, store nothing.
 * 3. Valid → store the raw package (content-addressed), write the inbound record, answer 01,
 *    mark it acknowledged. A crash anywhere repeats only idempotent writes on the next poll.
 *
 * AxisUnavailableError stops the poll (the next scheduled run retries); AxisRejectedError on one
 * package is reported in `failed` and the poll goes on.
 */
export async function pollAxis(
  deps: PollAxisDeps,
  options: PollAxisOptions = {},
): Promise<PollResult> {
  const result: PollResult = { received: [], refused: [], unanswerable: [], failed: [] };
  const ids = (await deps.client.getReceivedEdocList()).slice(
    0,
    options.maxPerPoll ?? DEFAULT_MAX_PER_POLL,
  );
  for (const docId of ids) {
    try {
      await receiveOne(deps, options, docId, result);
    } catch (error) {
      if (!(error instanceof AxisRejectedError)) throw error;
      result.failed.push({ docId, code: error.code });
    }
  }
  return result;
}

async function receiveOne(
  deps: PollAxisDeps,
  options: PollAxisOptions,
  docId: string,
  result: PollResult,
): Promise<void> {
  const existing = await deps.inbound.get(docId);
  if (existing !== undefined) {
    if (existing.acknowledgedAt === undefined) await acknowledge(deps, existing);
    result.received.push(docId);
    return;
  }
  const bytes = await deps.client.getEdoc(docId);
  let document: ParsedEdxmlDocument;
  try {
    document = parseEdxmlDocument(bytes, {
      requireDigests: false,
      ...(options.limits ? { limits: options.limits } : {}),
    });
  } catch (error) {
    if (!(error instanceof EdxmlFormatError)) throw error;
    await refuse(deps, docId, bytes, error.message, result);
    return;
  }
  const ours = document.MessageHeader.To.filter((to) => deps.servesAgency(to.OrganId));
  if (ours.length === 0) {
    const reason = 'misaddressed: none of the recipients is served by this system';
    await refuse(deps, docId, bytes, reason, result);
    return;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const packageKey = `${options.inboundPrefix ?? AXIS_INBOUND_PREFIX}${sha256}.edxml`;
  await deps.store.put(packageKey, bytes, { contentType: 'application/xml' });
  const header = document.MessageHeader;
  const edoc: InboundEdoc = {
    axisDocId: docId,
    receivedAt: deps.clock.now().toISOString(),
    packageKey,
    sha256,
    size: bytes.byteLength,
    documentId: header.DocumentId,
    from: header.From.OrganId,
    recipients: ours.map((o) => ({ organId: o.OrganId, organName: o.OrganName })),
    subject: header.Subject,
    codeNumber: header.Code.CodeNumber,
    codeNotation: header.Code.CodeNotation,
    promulgationDate: header.PromulgationInfo.PromulgationDate,
    ...(header.OtherInfo?.Priority === undefined ? {} : { priority: header.OtherInfo.Priority }),
    attachments: document.attachments.map((a) => ({
      contentId: a.ContentId,
      name: a.AttachmentName,
      contentType: a.ContentType,
      sha256: a.sha256,
      size: a.size,
    })),
  };
  await deps.inbound.record(edoc);
  await acknowledge(deps, edoc);
  result.received.push(docId);
}

/** Answer 01 from the first of our agencies the package is addressed to. */
async function acknowledge(deps: PollAxisDeps, edoc: InboundEdoc): Promise<void> {
  const [recipient] = edoc.recipients;
  const from = recipient
    ? { OrganId: recipient.organId, OrganName: recipient.organName }
    : deps.self;
  await sendStatus(deps, '01', responseForOf(edoc), from, 'arrived');
  await deps.inbound.markAcknowledged(edoc.axisDocId, deps.clock.now().toISOString());
}

async function refuse(
  deps: PollAxisDeps,
  docId: string,
  bytes: Buffer,
  reason: string,
  result: PollResult,
): Promise<void> {
  const responseFor = salvageResponseFor(bytes);
  if (responseFor === undefined) {
    result.unanswerable.push({ docId, reason });
    return;
  }
  await sendStatus(deps, '02', responseFor, deps.self, reason);
  result.refused.push({ docId, reason });
}

async function sendStatus(
  deps: PollAxisDeps,
  code: EdxmlStatusCode,
  responseFor: EdxmlResponseFor,
  from: EdxmlOrganization,
  description: string,
): Promise<void> {
  const xml = buildStatusMessage({
    ResponseFor: responseFor,
    From: from,
    StatusCode: code,
    Description: statusDescription(description),
    Timestamp: formatEdxmlTimestamp(deps.clock.now()),
  });
  await deps.client.updateStatus(xml);
}

const responseForOf = (edoc: InboundEdoc): EdxmlResponseFor => ({
  OrganId: edoc.from,
  Code: `${edoc.codeNumber}/${edoc.codeNotation}`,
  PromulgationDate: edoc.promulgationDate,
  DocumentId: edoc.documentId,
});

/** Reasons come from parser messages: keep them short and to characters XML can carry. */
function statusDescription(reason: string): string {
  const clean = [...reason].filter((c) => XML_CHARS.test(c)).join('');
  return clean.length > 500 ? `${clean.slice(0, 499)}…` : clean;
}

/**
 * The identity of a package too broken to parse, for the 02 answer: the four ResponseFor fields
 * read from MessageHeader (From/OrganId, Code, PromulgationInfo/PromulgationDate, DocumentId), each
 * checked with the parser's own schema. Undefined when the XML itself is unreadable or any of them
 * is missing or malformed; nothing else of the package is trusted.
 */
export function salvageResponseFor(bytes: Buffer): EdxmlResponseFor | undefined {
  let root: XmlElement;
  try {
    root = readXml(bytes, bytes.byteLength);
  } catch {
    return undefined;
  }
  const header =
    find(root, ['edXMLEnvelope', 'edXMLHeader', 'MessageHeader']) ??
    find(root, ['edXMLHeader', 'MessageHeader']);
  if (header === undefined) return undefined;
  const text = (path: readonly string[]) => find(header, path)?.text.trim();
  const number = text(['Code', 'CodeNumber']);
  const notation = text(['Code', 'CodeNotation']);
  const candidate = responseForSchema.safeParse({
    OrganId: text(['From', 'OrganId']),
    Code: number !== undefined && notation !== undefined ? `${number}/${notation}` : undefined,
    PromulgationDate: text(['PromulgationInfo', 'PromulgationDate']),
    DocumentId: text(['DocumentId']),
  });
  return candidate.success ? candidate.data : undefined;
}

function find(element: XmlElement, path: readonly string[]): XmlElement | undefined {
  let cursor: XmlElement | undefined = element;
  for (const name of path) {
    cursor = cursor?.children.find((c) => c.namespace === EDXML_NAMESPACE && c.localName === name);
  }
  return cursor;
}
