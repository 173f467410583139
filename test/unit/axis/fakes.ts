import type { DocumentStore } from '#ports/document-store.ts';
import type { DeliveryRecord } from '#ports/status-repository.ts';
import { LostClaimError } from '#shared/axis/errors.ts';
import {
  type AxisClient,
  type AxisDeliveries,
  type ClaimResult,
  type InboundClaim,
  type InboundLedger,
  type InboundOutcome,
  RELEASED_LEASE,
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
  pdf: Buffer = Buffer.from('%PDF-1.7 the letter'),
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
        content: pdf,
      },
    ],
  };
}

export const makeInboundPackage = (
  overrides: Partial<EdxmlDocument['MessageHeader']> = {},
  pdf?: Buffer,
) => buildEdxmlDocument(makeInboundDocument(overrides, pdf));

/** An axis in memory: what was sent, which statuses were answered, and scripted failures. */
export class FakeAxis implements AxisClient {
  readonly sent: { body: Buffer; to: string }[] = [];
  readonly statuses: EdxmlStatus[] = [];
  readonly waiting = new Map<string, Buffer>();
  readonly fetched: string[] = [];
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
    this.fetched.push(docId);
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

/** The inbound ledger in memory, with the DynamoDB adapter's conditions. */
export class MemoryLedger implements InboundLedger {
  readonly claims = new Map<string, InboundClaim>();

  async claim(
    axisDocId: string,
    owner: string,
    at: { now: string; leaseUntil: string },
  ): Promise<ClaimResult> {
    const existing = this.claims.get(axisDocId);
    if (existing === undefined) {
      const claim = {
        axisDocId,
        receivedAt: at.now,
        owner,
        leaseUntil: at.leaseUntil,
        answered: [],
      };
      this.claims.set(axisDocId, claim);
      return { kind: 'claimed', claim };
    }
    if (existing.finishedAt !== undefined) return { kind: 'finished', claim: existing };
    if (existing.leaseUntil >= at.now) return { kind: 'held', claim: existing };
    const claim = { ...existing, owner, leaseUntil: at.leaseUntil };
    this.claims.set(axisDocId, claim);
    return { kind: 'claimed', claim };
  }

  async decide(axisDocId: string, owner: string, outcome: InboundOutcome): Promise<void> {
    this.#asOwner(axisDocId, owner, (c) => ({ ...c, outcome: structuredClone(outcome) }));
  }

  async markAnswered(axisDocId: string, owner: string, answer: string): Promise<void> {
    this.#asOwner(axisDocId, owner, (c) => ({ ...c, answered: [...c.answered, answer] }));
  }

  async finish(axisDocId: string, owner: string, at: string): Promise<void> {
    this.#asOwner(axisDocId, owner, (c) => ({ ...c, finishedAt: at }));
  }

  async release(axisDocId: string, owner: string): Promise<void> {
    this.#asOwner(axisDocId, owner, (c) => ({ ...c, leaseUntil: RELEASED_LEASE }));
  }

  #asOwner(axisDocId: string, owner: string, change: (c: InboundClaim) => InboundClaim): void {
    const claim = this.claims.get(axisDocId);
    if (claim?.owner !== owner || claim.finishedAt !== undefined) {
      throw new LostClaimError(`${axisDocId} is not held by ${owner}`);
    }
    this.claims.set(axisDocId, change(claim));
  }
}

export const fixedClock = (iso = '2019-05-16T01:30:00.000Z') => ({ now: () => new Date(iso) });
