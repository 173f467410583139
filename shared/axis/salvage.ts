import { type EdxmlResponseFor, responseForSchema } from '../edxml/fields.ts';
import { EDXML_NAMESPACE, readXml, type XmlElement } from '../edxml/xml.ts';

/** Status messages are a few hundred bytes; parseStatusMessage refuses more than this. */
const MAX_STATUS_BYTES = 64 * 1024;

/**
 * The identity of a package too broken to parse, for the 02 answer: the four ResponseFor fields
 * read from MessageHeader (From/OrganId, Code, PromulgationInfo/PromulgationDate, DocumentId), each
 * checked with the parser's own schema. Undefined when the XML itself is unreadable or any of them
 * is missing or malformed; nothing else of the package is trusted.
 */
export function salvageResponseFor(bytes: Buffer): EdxmlResponseFor | undefined {
  const header = headerOf(bytes, bytes.byteLength, 'MessageHeader');
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

/**
 * Whether an axis message is an edXML:Status (an answer about a document we sent) rather than a
 * document package. Only small messages are looked at: a status is never large.
 */
export function isStatusMessage(bytes: Buffer): boolean {
  if (bytes.byteLength > MAX_STATUS_BYTES) return false;
  return headerOf(bytes, MAX_STATUS_BYTES, 'Status') !== undefined;
}

function headerOf(bytes: Buffer, max: number, child: string): XmlElement | undefined {
  let root: XmlElement;
  try {
    root = readXml(bytes, max);
  } catch {
    return undefined;
  }
  if (root.namespace !== EDXML_NAMESPACE) return undefined;
  return root.localName === 'edXMLEnvelope'
    ? find(root, ['edXMLHeader', child])
    : find(root, ['edXMLEnvelope', 'edXMLHeader', child]);
}

function find(element: XmlElement, path: readonly string[]): XmlElement | undefined {
  let cursor: XmlElement | undefined = element;
  for (const name of path) {
    cursor = cursor?.children.find((c) => c.namespace === EDXML_NAMESPACE && c.localName === name);
  }
  return cursor;
}
