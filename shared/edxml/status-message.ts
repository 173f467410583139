import * as z from 'zod';
import { DELIVERY_STATES, type DeliveryState } from '../status/document-status.ts';
import { EdxmlFormatError } from './errors.ts';
import {
  edxmlTimestampSchema,
  group,
  organizationSchema,
  responseForSchema,
  staffInfoSchema,
  textSchema,
} from './fields.ts';
import {
  EDXML_NAMESPACE,
  EDXML_PREFIX,
  plainToNodes,
  readXml,
  serialize,
  toPlain,
  validatePlain,
} from './xml.ts';

/*
 * Layout (domain.md names the children of edXML:Status; the rest follows the public SDK):
 * <edXML><edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:Status>ResponseFor, From, StatusCode,
 * Description, Timestamp, StaffInfo</edXML:Status></edXML:edXMLHeader><edXML:edXMLBody/>
 * </edXML:edXMLEnvelope></edXML>. A bare edXMLEnvelope root is accepted on input.
 */

/** Delivery states that are edXML's own; the rest (PENDING, SENT, UNDELIVERABLE) are ours. */
export type EdxmlStatusCode = Exclude<DeliveryState, 'PENDING' | 'SENT' | 'UNDELIVERABLE'>;

const isStatusCode = (state: DeliveryState): state is EdxmlStatusCode => /^\d\d$/.test(state);

export const EDXML_STATUS_CODES: readonly EdxmlStatusCode[] = DELIVERY_STATES.filter(isStatusCode);

/** What each code means (domain.md); a default Description for senders that have none. */
export const EDXML_STATUS_MEANINGS: Readonly<Record<EdxmlStatusCode, string>> = {
  '01': 'arrived',
  '02': 'refused',
  '03': 'accepted',
  '04': 'arrived, awaiting assignment',
  '05': 'assigned, in progress',
  '06': 'done',
  '13': 'recall requested',
  '15': 'recall or update agreed',
  '16': 'recall or update refused',
};

const statusCodeSchema = z.custom<EdxmlStatusCode>(
  (v) => typeof v === 'string' && (EDXML_STATUS_CODES as readonly string[]).includes(v),
  `unknown status code; expected one of ${EDXML_STATUS_CODES.join(', ')}`,
);

export const statusSchema = group({
  ResponseFor: responseForSchema,
  From: organizationSchema,
  StatusCode: statusCodeSchema,
  Description: textSchema.optional(),
  Timestamp: edxmlTimestampSchema,
  StaffInfo: staffInfoSchema.optional(),
});

/** A status message: a recipient's answer about one document. */
export type EdxmlStatus = z.output<typeof statusSchema>;

const messageSchema = group({
  edXMLEnvelope: group({
    edXMLHeader: group({ Status: statusSchema }),
    edXMLBody: z.literal('', { error: 'a status message has an empty body' }).optional(),
  }),
});

/** Status messages are a few hundred bytes; anything near this is not one. */
const MAX_STATUS_BYTES = 64 * 1024;

export function buildStatusMessage(status: EdxmlStatus): Buffer {
  const valid = validatePlain(statusSchema, status, 'edXMLEnvelope/edXMLHeader/Status');
  const nodes = plainToNodes({
    edXMLEnvelope: { edXMLHeader: { Status: valid }, edXMLBody: '' },
  });
  const namespaces = { xmlns: EDXML_NAMESPACE, [`xmlns:${EDXML_PREFIX}`]: EDXML_NAMESPACE };
  return Buffer.from(serialize('edXML', namespaces, nodes), 'utf8');
}

/** Read a status message, or throw an EdxmlFormatError naming the offending element. */
export function parseStatusMessage(input: Uint8Array | string): EdxmlStatus {
  const root = readXml(input, MAX_STATUS_BYTES);
  if (root.namespace !== EDXML_NAMESPACE) {
    throw new EdxmlFormatError(
      `root element is not in the namespace ${EDXML_NAMESPACE}`,
      root.path,
    );
  }
  const value = toPlain(root, new Set());
  if (root.localName === 'edXML') {
    return validatePlain(messageSchema, value, root.path).edXMLEnvelope.edXMLHeader.Status;
  }
  if (root.localName === 'edXMLEnvelope') {
    return validatePlain(messageSchema, { edXMLEnvelope: value }, '').edXMLEnvelope.edXMLHeader
      .Status;
  }
  throw new EdxmlFormatError('root element must be edXML or edXMLEnvelope', root.path);
}
