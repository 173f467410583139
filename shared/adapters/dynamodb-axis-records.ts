import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { DeliveryRecord } from '#ports/status-repository.ts';
import type {
  AxisDeliveries,
  InboundEdoc,
  InboundEdocs,
  InboundRecord,
} from '#shared/axis/ports.ts';
import {
  canAdvanceDelivery,
  DELIVERY_STATES,
  type DeliveryState,
  InvalidTransitionError,
} from '#status/document-status.ts';

const deliverySchema = z.object({
  recipient: z.string(),
  channel: z.enum(['province', 'national-axis']),
  state: z.enum(DELIVERY_STATES),
  updatedAt: z.string(),
  reason: z.string().optional(),
});

const inboundSchema = z.object({
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
    }),
  ),
  acknowledgedAt: z.string().optional(),
});

/** Same item as DynamoDbStatusRepository's deliveries: the route step writes it PENDING. */
const deliveryKey = (id: string, recipient: string) => ({
  pk: `DOC#${id}`,
  sk: `DELIVERY#${recipient}`,
});
const inboundKey = (axisDocId: string) => ({ pk: `AXISIN#${axisDocId}`, sk: 'INBOUND' });

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

const documentClient = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

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
    return out.Item ? deliverySchema.parse(out.Item) : undefined;
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

/** Packages received over the axis, one item per axis id on the status table. */
export class DynamoDbInboundEdocs implements InboundEdocs {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async get(axisDocId: string): Promise<InboundRecord | undefined> {
    const out = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: inboundKey(axisDocId), ConsistentRead: true }),
    );
    return out.Item ? inboundSchema.parse(out.Item) : undefined;
  }

  async record(edoc: InboundEdoc): Promise<void> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...inboundKey(edoc.axisDocId), ...edoc },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async markAcknowledged(axisDocId: string, at: string): Promise<void> {
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: inboundKey(axisDocId),
        UpdateExpression: 'SET acknowledgedAt = if_not_exists(acknowledgedAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }
}
