import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import {
  DirectoryOrganizationSigners,
  type Pkcs11Access,
} from '#adapters/directory-organization-signers.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { FileSecretSource, ParametersExtensionSecretSource } from '#adapters/secret-sources.ts';
import { SqsStepQueue } from '#adapters/sqs-step-queue.ts';
import { countersignDocument } from '#shared/pipeline/countersign-document.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { intEnv, optionalEnv, requiredEnv } from './lib/env.ts';
import { parseStepMessage } from './lib/pipeline-message.ts';
import { referenceCache } from './lib/reference.ts';
import { sqsHandler } from './lib/sqs-handler.ts';

const logger = new Logger();
const documents = new S3DocumentStore(makeS3Client(), requiredEnv('INCOMING_BUCKET'));
const dynamodb = new DynamoDBClient({});
const tableName = requiredEnv('TABLE_NAME');
const kms = new KMSClient({});
const pkcs11Module = optionalEnv('PKCS11_MODULE');
// With `-c hsm=cloudhsm` the keys are in the cluster: the PIN comes from Secrets Manager through
// the Parameters and Secrets extension (or a file, on a developer's machine with SoftHSM2).
const pkcs11: Pkcs11Access | undefined =
  pkcs11Module === undefined
    ? undefined
    : {
        library: pkcs11Module,
        pin:
          optionalEnv('HSM_PIN_FILE') !== undefined
            ? new FileSecretSource(requiredEnv('HSM_PIN_FILE'))
            : new ParametersExtensionSecretSource({
                secretId: requiredEnv('HSM_PIN_SECRET_ID'),
                sessionToken: requiredEnv('AWS_SESSION_TOKEN'),
                port: intEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', 2773),
              }),
      };
// Signers are resolved again only when an edit or an installed agency key changed the reference
// data (an agency's new KMS key is used within the cache's age); until then each stays cached.
const signers = (await referenceCache(dynamodb, tableName)).derive(
  ({ directory }) =>
    new DirectoryOrganizationSigners({
      directory,
      kms,
      certificates: documents,
      ...(pkcs11 ? { pkcs11 } : {}),
    }),
);
const deps = {
  repository: new DynamoDbStatusRepository(dynamodb, tableName),
  documents,
  next: new SqsStepQueue(new SQSClient({}), requiredEnv('ROUTE_QUEUE_URL')),
  clock: { now: () => new Date() },
  reason: optionalEnv('COUNTERSIGN_REASON') ?? 'Ký số của cơ quan, tổ chức',
  location: optionalEnv('COUNTERSIGN_LOCATION') ?? 'Quảng Ngãi',
};

async function processRecord(record: SQSRecord): Promise<void> {
  const documentId = parseStepMessage(record.body);
  const outcome = await countersignDocument({ ...deps, signers: await signers() }, documentId);
  logger.info('countersign step done', { documentId, outcome });
}

export const handler = sqsHandler(logger, processRecord);
