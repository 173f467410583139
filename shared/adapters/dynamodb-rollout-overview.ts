import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RolloutOverview } from '#ports/rollout-overview.ts';
import { appliedRolloutSchema, type RolloutView } from '#shared/documents/api-schemas.ts';
import { type RolloutPolicy, rolloutPolicySchema } from '#shared/routing/rollout-policy.ts';
import { documentClient } from './dynamodb.ts';
import { CURRENT_POLICY_SK, POLICY_PK } from './dynamodb-rollout-store.ts';

/**
 * Until the rollout state machine has applied a phase, the system runs as in official use: every
 * channel open to every agency, issuance forms from the catalogue.
 */
const OFFICIAL_USE_POLICY: RolloutPolicy = {
  phaseId: 'official',
  channelsOpen: ['province', 'national-axis'],
  enrolledAgencies: 'all',
  electronicOnlyTypes: 'catalogue',
};

/**
 * The policy in force, from the `ROLLOUT#POLICY` / `CURRENT` item DynamoDbRolloutStore.applyPolicy
 * writes (one consistent GetItem), or the official-use default while there is none.
 */
export class DynamoDbRolloutOverview implements RolloutOverview {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
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
    return { source: 'schedule', ...appliedRolloutSchema.parse(out.Item) };
  }

  /** What routing reads: the policy in force, checked against routing's own schema. */
  async currentPolicy(): Promise<RolloutPolicy> {
    return rolloutPolicySchema.parse((await this.current()).policy);
  }
}
