import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { TableDefinition } from '#infra/definitions.ts';
import { ensureTable } from '../../scripts/local/emulators.ts';

/** A real DynamoDB emulator (dynalite, in memory) on a random loopback port. */
export async function startDynalite(): Promise<{
  client: DynamoDBClient;
  endpoint: string;
  stop: () => Promise<void>;
}> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    client,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Creates a table exactly as the CDK app defines it (the local stack's own code path). */
export async function createTable(client: DynamoDBClient, name: string, def: TableDefinition) {
  await ensureTable(client, name, def);
}
