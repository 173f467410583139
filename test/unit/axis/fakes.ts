import type { DocumentStore } from '#ports/document-store.ts';
import type { DeliveryRecord } from '#ports/status-repository.ts';
import type {
  AxisClient,
  AxisDeliveries,
  InboundEdoc,
  InboundEdocs,
  InboundRecord,
} from '#shared/axis/ports.ts';
import type { AxisAgency } from '#shared/axis/responses.ts';
import { buildEdxmlDocument, type EdxmlDocument } from '#shared/edxml/envelope.ts';
import { formatDocumentId } from '#shared/edxml/fields.ts';
import { type EdxmlStatus, parseStatusMessage } from '#shared/edxml/status-message.ts';
import {
  canAdvanceDelivery,
  type DeliveryState,
  InvalidTransitionError,
} from '#status/document-status.ts';

export const SENDER = '000.00.00.G22';
export const OUR_AGENCY = '000.00.08.H48';
export const SELF = { OrganId: '000.00.00.H48', OrganName: 'UBND tỉnh Quảng Ngãi' };

/** A package from a ministry to one of our agencies (and one that is not ours). */
export function makeInboundDocument(
  overrides: Partial<EdxmlDocument['MessageHeader']> = {},
): EdxmlDocument {
  return {
    MessageHeader: {
      From: { OrganId: SENDER, OrganName: 'Văn phòng Chính phủ' },
      To: [
        { OrganId: '000.00.00.H35', OrganName: 'UBND tỉnh Kon Tum' },
        { OrganId: OUR_AGENCY, OrganName: 'Sở Thông tin và Truyền thông' },
      ],
      DocumentId: formatDocumentId({
        organId: SENDER,
        promulgationDate: '2019/04/09',
        codeNumber: '2887',
        codeNotation: 'VPCP-KSTT',
      }),
      Code: { CodeNumber: '2887', CodeNotation: 'VPCP-KSTT' },
      PromulgationInfo: { Place: 'Hà Nội', PromulgationDate: '2019/04/09' },
      DocumentType: { Type: '1', TypeName: 'Công văn' },
      Subject: 'Gửi, nhận văn bản điện tử có ký số',
      SignerInfo: { FullName: 'Mai Tiến Dũng' },
      OtherInfo: { Priority: '2' },
      ...overrides,
    },
    TraceHeaderList: { TraceHeader: [{ OrganId: SENDER, Timestamp: '2019/04/09 09:00:00' }] },
    attachments: [
      {
        ContentId: 'main',
        ContentType: 'application/pdf',
        AttachmentName: '2887-VPCP-KSTT.pdf',
        content: Buffer.from('%PDF-1.7 the letter'),
      },
    ],
  };
}

export const makeInboundPackage = (overrides: Partial<EdxmlDocument['MessageHeader']> = {}) =>
  buildEdxmlDocument(makeInboundDocument(overrides));

/** An axis in memory: what was sent, which statuses were answered, and scripted failures. */
export class FakeAxis implements AxisClient {
  readonly sent: { body: Buffer; to: string }[] = [];
  readonly statuses: EdxmlStatus[] = [];
  readonly waiting = new Map<string, Buffer>();
  failSend: Error | undefined;
  failStatus: Error | undefined;
  failGet = new Map<string, Error>();
  #next = 1;

  async sendEdoc(body: Buffer, to: string): Promise<{ docId: string }> {
    if (this.failSend) throw this.failSend;
    this.sent.push({ body, to });
    return { docId: `axis-${this.#next++}` };
  }

  async getReceivedEdocList(): Promise<string[]> {
    return [...this.waiting.keys()];
  }

  async getEdoc(docId: string): Promise<Buffer> {
    const failure = this.failGet.get(docId);
    if (failure) throw failure;
    const body = this.waiting.get(docId);
    if (!body) throw new Error(`no ${docId}`);
    return body;
  }

  async updateStatus(statusXml: Buffer): Promise<void> {
    if (this.failStatus) throw this.failStatus;
    this.statuses.push(parseStatusMessage(statusXml));
  }

  async getAgencies(): Promise<AxisAgency[]> {
    return [];
  }
}

export class MemoryStore implements DocumentStore {
  readonly objects = new Map<string, Buffer>();

  async get(key: string): Promise<Buffer> {
    const body = this.objects.get(key);
    if (!body) throw new Error(`no object ${key}`);
    return body;
  }

  async put(key: string, body: Buffer): Promise<void> {
    this.objects.set(key, body);
  }
}

type StoredDelivery = DeliveryRecord & { axisDocId?: string; failureCode?: string };

export class MemoryDeliveries implements AxisDeliveries {
  readonly rows = new Map<string, StoredDelivery>();

  add(documentId: string, delivery: DeliveryRecord): void {
    this.rows.set(`${documentId}|${delivery.recipient}`, delivery);
  }

  row(documentId: string, recipient: string): StoredDelivery | undefined {
    return this.rows.get(`${documentId}|${recipient}`);
  }

  async get(documentId: string, recipient: string): Promise<DeliveryRecord | undefined> {
    return this.row(documentId, recipient);
  }

  async markSent(documentId: string, recipient: string, sent: { axisDocId: string; at: string }) {
    this.#advance(documentId, recipient, 'SENT', { updatedAt: sent.at, axisDocId: sent.axisDocId });
  }

  async markFailed(
    documentId: string,
    recipient: string,
    failure: { code: string; reason: string; at: string },
  ) {
    this.#advance(documentId, recipient, '02', {
      updatedAt: failure.at,
      reason: failure.reason,
      failureCode: failure.code,
    });
  }

  #advance(
    documentId: string,
    recipient: string,
    to: DeliveryState,
    fields: Partial<StoredDelivery>,
  ) {
    const row = this.row(documentId, recipient);
    if (row?.state !== 'PENDING' || !canAdvanceDelivery('PENDING', to)) {
      throw new InvalidTransitionError(row?.state ?? 'nothing', to);
    }
    this.rows.set(`${documentId}|${recipient}`, { ...row, ...fields, state: to });
  }
}

export class MemoryInbound implements InboundEdocs {
  readonly records = new Map<string, InboundRecord>();

  async get(axisDocId: string): Promise<InboundRecord | undefined> {
    return this.records.get(axisDocId);
  }

  async record(edoc: InboundEdoc): Promise<void> {
    if (!this.records.has(edoc.axisDocId)) this.records.set(edoc.axisDocId, edoc);
  }

  async markAcknowledged(axisDocId: string, at: string): Promise<void> {
    const record = this.records.get(axisDocId);
    if (!record) throw new Error(`no inbound ${axisDocId}`);
    this.records.set(axisDocId, { acknowledgedAt: at, ...record });
  }
}

export const fixedClock = (iso = '2019-05-16T01:30:00.000Z') => ({ now: () => new Date(iso) });
