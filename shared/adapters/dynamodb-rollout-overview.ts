import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { RolloutOverview } from '#ports/rollout-overview.ts';
import { policyViewSchema, type RolloutView } from '#shared/documents/api-schemas.ts';
import { OFFICIAL_USE_POLICY } from './dynamodb-rollout-policy.ts';
import { CURRENT_POLICY_SK, POLICY_PK } from './dynamodb-rollout-store.ts';

/** The `ROLLOUT#POLICY` / `CURRENT` item as DynamoDbRolloutStore.applyPolicy writes it. */
const currentItemSchema = z.object({
  scheduleId: z.string(),
  phaseId: z.string(),
  policy: policyViewSchema,
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  appliedAt: z.string(),
});

/** RolloutOverview on the status table: one consistent GetItem of the current policy item. */
export class DynamoDbRolloutOverview implements RolloutOverview {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = DynamoDBDocumentClient.from(client);
    this.#table = tableName;
  }

  async current(): Promise<RolloutView> {
    const out = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: POLICY_PK, sk: CURRENT_POLICY_SK },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) {
      return {
        source: 'default',
        phaseId: OFFICIAL_USE_POLICY.phaseId,
        policy: structuredClone(OFFICIAL_USE_POLICY),
      };
    }
    const item = currentItemSchema.parse(out.Item);
    return { source: 'schedule', ...item };
  }
}
