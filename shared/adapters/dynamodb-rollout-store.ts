import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ApprovalAlreadyPendingError } from '#shared/rollout/request-approval.ts';
import type {
  ApprovalStore,
  PendingApproval,
  PolicyRecord,
  RolloutPolicyStore,
} from '#shared/rollout/rollout-ports.ts';
import { conditionalWrite, documentClient, isConditionFailure } from './dynamodb.ts';

/** Partition of the policy items: `CURRENT`, read by routing, and one `HISTORY#…` per phase. */
export const POLICY_PK = 'ROLLOUT#POLICY';
export const CURRENT_POLICY_SK = 'CURRENT';
/** Partition of the approval items, one per phase id (sort key), read by the admin API. */
export const APPROVAL_PK = 'ROLLOUT#APPROVAL';

/**
 * Rollout items of the status table. Every write is one conditional PutItem on a `ROLLOUT#…`
 * partition (the functions' IAM policies allow no other leading key), so repeating a call after
 * a timeout changes nothing.
 */
export class DynamoDbRolloutStore implements RolloutPolicyStore, ApprovalStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async applyPolicy(record: PolicyRecord): Promise<{ applied: boolean }> {
    const item = { ...record, effectiveFromMs: Date.parse(record.effectiveFrom) };
    // A failed condition here means the record is already in the history: a repeated call.
    await conditionalWrite(() =>
      this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: POLICY_PK,
            sk: `HISTORY#${record.effectiveFrom}#${record.scheduleId}#${record.phaseId}`,
            ...item,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    const applied = await conditionalWrite(() =>
      this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: POLICY_PK, sk: CURRENT_POLICY_SK, ...item },
          ConditionExpression: 'attribute_not_exists(pk) OR effectiveFromMs <= :from',
          ExpressionAttributeValues: { ':from': item.effectiveFromMs },
        }),
      ),
    );
    return { applied };
  }

  async recordPending(approval: PendingApproval): Promise<void> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: APPROVAL_PK, sk: approval.phaseId, status: 'PENDING', ...approval },
          ConditionExpression:
            'attribute_not_exists(pk) OR #status <> :pending OR taskToken = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':token': approval.taskToken },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ApprovalAlreadyPendingError(approval.phaseId, { cause: error });
      }
      throw error;
    }
  }
}
