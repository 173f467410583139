import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseS3Notification } from '#functions/lib/s3-notification.ts';
import { incomingPrefix } from '#infra/definitions.ts';
import { type EmulatedService, PortInUseError, StateDirInUseError } from './local/emulators.ts';
import type { BatchResult } from './local/event-source-poller.ts';
import { startLocalStack } from './local/local-stack.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const SettingsSchema = z.object({
  EDOC_PORT: port.default(4000),
  EDOC_AWS_PORT: port.default(4566),
  EDOC_DYNAMODB_PORT: port.default(4567),
});
const portVariable: Record<EmulatedService, string> = {
  'S3/SQS': 'EDOC_AWS_PORT',
  DynamoDB: 'EDOC_DYNAMODB_PORT',
};

const stateDir = fileURLToPath(new URL('../.edoc-local/', import.meta.url));

async function main(): Promise<void> {
  const parsed = SettingsSchema.safeParse(process.env);
  if (!parsed.success) {
    console.error(`edoc-hub: invalid port setting\n${z.prettifyError(parsed.error)}`);
    process.exitCode = 1;
    return;
  }
  const settings = parsed.data;

  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({
      stateDir,
      // Drop root CA PEMs in .edoc-local/trust/anchors/ (and intermediates/, crls/) to trust them.
      trustDir: `${stateDir}trust`,
      ports: { aws: settings.EDOC_AWS_PORT, dynamodb: settings.EDOC_DYNAMODB_PORT },
      onBatch: logBatch,
      onError: (error) => console.error('edoc-hub: local stack error', error),
    });
  } catch (error) {
    if (error instanceof PortInUseError) {
      const variable = portVariable[error.service];
      console.error(
        `edoc-hub: ${error.message}.\n` +
          `  Another local stack or emulator is probably running. Stop it, or choose another port: ${variable}=<port> npm start`,
      );
      process.exitCode = 1;
      return;
    }
    if (error instanceof StateDirInUseError) {
      console.error(
        `edoc-hub: another local stack (process ${error.pid}) is running on .edoc-local/; stop it first.`,
      );
      process.exitCode = 1;
      return;
    }
    throw error;
  }

  const { endpoints, resources } = stack;
  const sample = `${incomingPrefix}H48.01/doc-1.pdf`;
  console.log(
    [
      'edoc-hub local stack is up (state in .edoc-local/, delete it to start afresh)',
      `  S3 + SQS endpoint   ${endpoints.aws}`,
      `  DynamoDB endpoint   ${endpoints.dynamodb}`,
      `  API                 not yet available (will listen on port ${settings.EDOC_PORT})`,
      `  buckets             ${Object.values(resources.buckets).join(', ')}`,
      `  status table        ${resources.table}`,
      `  ingest queue        ${resources.ingestQueue.url}`,
      `  dead-letter queue   ${resources.ingestDeadLetterQueue.url}`,
      '',
      `Upload a PDF (form POST as a pre-signed POST does; the file field goes last):`,
      `  curl -F key=${sample} -F file=@document.pdf ${endpoints.aws}/${resources.buckets.incoming}`,
      'Ctrl-C stops.',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('edoc-hub: stopping…');
  // A second signal while draining stops at once.
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await stack.stop();
  console.log('edoc-hub: stopped');
}

function logBatch(result: BatchResult): void {
  for (const record of result.records) {
    const ok = result.succeeded.includes(record.messageId);
    const receives = record.attributes.ApproximateReceiveCount;
    let what: string;
    try {
      const keys = parseS3Notification(record.body).map((o) => o.key);
      what = keys.length > 0 ? keys.join(', ') : 'S3 test event';
    } catch {
      what = `message ${record.messageId} (not an S3 notification)`;
    }
    if (ok) {
      console.log(`edoc-hub: processed ${what}`);
    } else {
      const reason = result.error instanceof Error ? `: ${result.error.message}` : '';
      console.log(
        `edoc-hub: FAILED ${what} (receive ${receives}; retried after the visibility timeout, then the DLQ)${reason}`,
      );
    }
  }
}

await main();
