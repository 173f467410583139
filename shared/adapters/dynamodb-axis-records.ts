import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { DeliveryRecord } from '#ports/status-repository.ts';
import { LostClaimError } from '#shared/axis/errors.ts';
import {
  type AxisDeliveries,
  type ClaimResult,
  type InboundClaim,
  type InboundLedger,
  type InboundOutcome,
  RELEASED_LEASE,
} from '#shared/axis/ports.ts';
import { EDXML_STATUS_CODES, type EdxmlStatusCode } from '#shared/edxml/status-message.ts';
import {
  canAdvanceDelivery,
  DELIVERY_STATES,
  type DeliveryState,
  InvalidTransitionError,
} from '#status/document-status.ts';
import { conditionalWrite, documentClient, isConditionFailure } from './dynamodb.ts';
import { DeliveryRecordSchema, deliveryKey } from './dynamodb-status-repository.ts';

const organizationSchema = z.looseObject({ OrganId: z.string(), OrganName: z.string() });
const responseForSchema = z.object({
  OrganId: z.string(),
  Code: z.string(),
  PromulgationDate: z.string(),
  DocumentId: z.string(),
});
const answerSchema = z.object({
  code: z.enum(['01', '02']),
  from: organizationSchema,
  description: z.string(),
});
const edocSchema = z.object({
  axisDocId: z.string(),
  receivedAt: z.string(),
  packageKey: z.string(),
  sha256: z.string(),
  size: z.number(),
  documentId: z.string(),
  from: z.string(),
  recipients: z.array(z.object({ organId: z.string(), organName: z.string() })),
  subject: z.string(),
  codeNumber: z.string(),
  codeNotation: z.string(),
  promulgationDate: z.string(),
  priority: z.string().optional(),
  attachments: z.array(
    z.object({
      contentId: z.string(),
      name: z.string(),
      contentType: z.string(),
      sha256: z.string(),
      size: z.number(),
      key: z.string().optional(),
    }),
  ),
});
const statusCodeSchema = z.custom<EdxmlStatusCode>(
  (v) => typeof v === 'string' && (EDXML_STATUS_CODES as readonly string[]).includes(v),
);
const statusOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.enum(['applied', 'duplicate', 'not-allowed']),
    documentId: z.string(),
    recipient: z.string(),
    from: z.enum(DELIVERY_STATES),
    code: statusCodeSchema,
  }),
  z.object({ kind: z.literal('unknown-document'), responseFor: responseForSchema }),
  z.object({ kind: z.literal('unknown-recipient'), documentId: z.string(), recipient: z.string() }),
  z.object({ kind: z.literal('malformed'), reason: z.string() }),
]);
const outcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('delivered'),
    documentId: z.string(),
    edoc: edocSchema,
    responseFor: responseForSchema,
    answers: z.array(answerSchema),
  }),
  z.object({
    kind: z.literal('refused'),
    reason: z.string(),
    responseFor: responseForSchema,
    answers: z.array(answerSchema),
  }),
  z.object({ kind: z.literal('unanswerable'), reason: z.string() }),
  z.object({ kind: z.literal('status'), status: statusOutcomeSchema }),
]);
const claimSchema = z.object({
  axisDocId: z.string(),
  receivedAt: z.string(),
  owner: z.string(),
  leaseUntil: z.string(),
  outcome: outcomeSchema.optional(),
  answered: z.array(z.string()).default([]),
  finishedAt: z.string().optional(),
});

const inboundKey = (axisDocId: string) => ({ pk: `AXISIN#${axisDocId}`, sk: 'INBOUND' });

/**
 * Axis delivery states on the status table. An axis refusal is stored as `02` (refused, which
 * PENDING may move to) with `failure.source = 'axis'` and the axis's code, until the state model
 * has a state of its own for it.
 */
export class DynamoDbAxisDeliveries implements AxisDeliveries {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async get(documentId: string, recipient: string): Promise<DeliveryRecord | undefined> {
    const out = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: deliveryKey(documentId, recipient),
        ConsistentRead: true,
      }),
    );
    return out.Item ? DeliveryRecordSchema.parse(out.Item) : undefined;
  }

  markSent(
    documentId: string,
    recipient: string,
    sent: { axisDocId: string; at: string },
  ): Promise<void> {
    return this.#advance(documentId, recipient, 'SENT', sent.at, { axisDocId: sent.axisDocId });
  }

  markFailed(
    documentId: string,
    recipient: string,
    failure: { code: string; reason: string; at: string },
  ): Promise<void> {
    return this.#advance(documentId, recipient, '02', failure.at, {
      reason: failure.reason,
      failure: { source: 'axis', code: failure.code },
    });
  }

  async #advance(
    documentId: string,
    recipient: string,
    to: DeliveryState,
    at: string,
    fields: Record<string, unknown>,
  ): Promise<void> {
    if (!canAdvanceDelivery('PENDING', to)) throw new InvalidTransitionError('PENDING', to);
    const names: Record<string, string> = { '#state': 'state' };
    const values: Record<string, unknown> = { ':to': to, ':at': at, ':pending': 'PENDING' };
    const sets = ['#state = :to', 'updatedAt = :at'];
    Object.entries(fields).forEach(([key, value], i) => {
      names[`#f${i}`] = key;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: deliveryKey(documentId, recipient),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #state = :pending',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new InvalidTransitionError('PENDING', to, { cause: error });
      }
      throw error;
    }
  }
}

/**
 * The inbound ledger on the status table: one item per axis id (`AXISIN#<id>`), created by a
 * conditional put before the poller fetches anything. Later writes are conditional on the owner.
 */
export class DynamoDbInboundLedger implements InboundLedger {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async claim(
    axisDocId: string,
    owner: string,
    at: { readonly now: string; readonly leaseUntil: string },
  ): Promise<ClaimResult> {
    const fresh: InboundClaim = {
      axisDocId,
      receivedAt: at.now,
      owner,
      leaseUntil: at.leaseUntil,
      answered: [],
    };
    const created = await conditionalWrite(() =>
      this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...inboundKey(axisDocId), ...fresh },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (created) return { kind: 'claimed', claim: fresh };
    try {
      const out = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: inboundKey(axisDocId),
          UpdateExpression: 'SET #owner = :owner, leaseUntil = :until',
          ConditionExpression: 'attribute_not_exists(finishedAt) AND leaseUntil < :now',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner, ':until': at.leaseUntil, ':now': at.now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'claimed', claim: claimSchema.parse(out.Attributes) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const out = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: inboundKey(axisDocId), ConsistentRead: true }),
    );
    const claim = claimSchema.parse(out.Item);
    return { kind: claim.finishedAt === undefined ? 'held' : 'finished', claim };
  }

  decide(axisDocId: string, owner: string, outcome: InboundOutcome): Promise<void> {
    return this.#asOwner(axisDocId, owner, 'SET outcome = :v', { ':v': outcome });
  }

  markAnswered(axisDocId: string, owner: string, answer: string): Promise<void> {
    return this.#asOwner(axisDocId, owner, 'SET answered = list_append(answered, :v)', {
      ':v': [answer],
    });
  }

  finish(axisDocId: string, owner: string, at: string): Promise<void> {
    return this.#asOwner(axisDocId, owner, 'SET finishedAt = :v', { ':v': at });
  }

  release(axisDocId: string, owner: string): Promise<void> {
    return this.#asOwner(axisDocId, owner, 'SET leaseUntil = :v', { ':v': RELEASED_LEASE });
  }

  async #asOwner(
    axisDocId: string,
    owner: string,
    update: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: inboundKey(axisDocId),
          UpdateExpression: update,
          ConditionExpression: '#owner = :owner AND attribute_not_exists(finishedAt)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ...values, ':owner': owner },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new LostClaimError(`axis message ${axisDocId} is no longer held by ${owner}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}
