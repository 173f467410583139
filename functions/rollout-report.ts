import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoDbReportSource } from '#adapters/dynamodb-report-source.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { generatePhaseReport } from '#shared/rollout/phase-report.ts';
import { type PhaseReportResult, phaseReportTaskSchema } from '#shared/rollout/tasks.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { requiredEnv } from './lib/env.ts';

const logger = new Logger();
const source = new DynamoDbReportSource(new DynamoDBClient({}), requiredEnv('TABLE_NAME'), {
  issuerIndex: requiredEnv('ISSUER_INDEX'),
});
const reports = new S3DocumentStore(makeS3Client(), requiredEnv('REPORTS_BUCKET'));
const clock = { now: () => new Date() };

/** Task of the rollout state machine: writes the phase report in JSON, CSV and HTML. */
export const handler = middy<unknown, PhaseReportResult>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const task = phaseReportTaskSchema.parse(event);
    logger.appendKeys({ scheduleId: task.scheduleId, phaseId: task.phaseId });
    const result = await generatePhaseReport({ source, reports, clock }, task);
    logger.info('phase report written', {
      extensions: result.extensions,
      documents: result.documents,
      complete: result.complete,
      key: result.keys.json,
    });
    return result;
  });
