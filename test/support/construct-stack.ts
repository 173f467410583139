import { type App, Stack } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';

/**
 * A stack to test one construct in, holding what the stateful stack would hand it: the status
 * table (pk/sk, on demand, point-in-time recovery) and a rotating data key.
 */
export function makeConstructStack(app: App, id: string) {
  const stack = new Stack(app, id, {
    env: { account: '111122223333', region: 'ap-southeast-1' },
  });
  const table = new TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    billing: Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const dataKey = new Key(stack, 'DataKey', { enableKeyRotation: true });
  return { stack, table, dataKey };
}
