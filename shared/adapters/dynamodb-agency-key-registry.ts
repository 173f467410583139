import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type {
  AgencyKeyRecord,
  AgencyKeyRegistry,
  InstalledAgencyKey,
  PendingAgencyKey,
} from '#ports/agency-key-registry.ts';
import { SIGNATURE_ALGORITHMS } from '#ports/signature-algorithms.ts';
import { conditionalWrite, documentClient, queryAll } from './dynamodb.ts';

/** Partition of the agencies' key records; the sort key is the agency code. */
export const AGENCY_KEY_PK = 'REF#AGENCYKEY';

const algorithmSchema = z.enum(SIGNATURE_ALGORITHMS);

const pendingSchema = z.object({
  keyId: z.string().min(1),
  algorithm: algorithmSchema,
  requestedAt: z.string(),
});

const installedSchema = z.object({
  keyId: z.string().min(1),
  algorithm: algorithmSchema,
  chainKey: z.string().min(1),
  leafFingerprint: z.string(),
  notAfter: z.string(),
  installedAt: z.string(),
});

const itemSchema = z.object({
  sk: z.string(),
  pending: pendingSchema.optional(),
  installed: installedSchema.optional(),
});

const recordOf = (item: unknown): AgencyKeyRecord => {
  const { sk, pending, installed } = itemSchema.parse(item);
  return { agency: sk, ...(pending ? { pending } : {}), ...(installed ? { installed } : {}) };
};

/**
 * AgencyKeyRegistry on the status table: one item per agency, `REF#AGENCYKEY` / `<code>`, with a
 * `pending` and an `installed` map. Each change is one conditional UpdateItem, so two requests
 * never both record a pending key and a chain is installed only for the key still pending.
 */
export class DynamoDbAgencyKeyRegistry implements AgencyKeyRegistry {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async get(agency: string): Promise<AgencyKeyRecord | undefined> {
    const out = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: AGENCY_KEY_PK, sk: agency },
        ConsistentRead: true,
      }),
    );
    return out.Item ? recordOf(out.Item) : undefined;
  }

  async listInstalled(): Promise<AgencyKeyRecord[]> {
    const items = await queryAll(this.#db, {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': AGENCY_KEY_PK },
      ConsistentRead: true,
    });
    return items.map(recordOf).filter((r) => r.installed !== undefined);
  }

  async putPending(agency: string, pending: PendingAgencyKey): Promise<PendingAgencyKey> {
    const written = await conditionalWrite(() =>
      this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: AGENCY_KEY_PK, sk: agency },
          UpdateExpression: 'SET pending = :pending',
          ConditionExpression: 'attribute_not_exists(pending)',
          ExpressionAttributeValues: { ':pending': pending },
        }),
      ),
    );
    if (written) return pending;
    const current = (await this.get(agency))?.pending;
    // Installed between the failed write and this read: nothing is pending any more, record ours.
    return current ?? this.putPending(agency, pending);
  }

  install(agency: string, installed: InstalledAgencyKey): Promise<boolean> {
    return conditionalWrite(() =>
      this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: AGENCY_KEY_PK, sk: agency },
          UpdateExpression: 'SET installed = :installed REMOVE pending',
          ConditionExpression: 'pending.keyId = :keyId',
          ExpressionAttributeValues: { ':installed': installed, ':keyId': installed.keyId },
        }),
      ),
    );
  }
}
