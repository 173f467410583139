import { Aws, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.ts';
import { AppFunction } from './constructs/app-function.ts';
import { bucketName, incomingPrefix, ingestFunctionTimeoutSeconds } from './definitions.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly stateful: StatefulStack;
}

/** Functions, APIs and state machines: replaceable at any time, they hold no data. */
export class StatelessStack extends Stack {
  public readonly verifyFunction: AppFunction;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;

    this.verifyFunction = new AppFunction(this, 'VerifyDocument', {
      entryName: 'verify-document',
      timeout: Duration.seconds(ingestFunctionTimeoutSeconds),
      memorySize: 1769, // one full vCPU: hashing and RSA verification are CPU-bound
      environment: {
        INCOMING_BUCKET: bucketName(config.stage, 'incoming', Aws.ACCOUNT_ID, Aws.REGION),
        MAX_UPLOAD_BYTES: String(config.maxUploadBytes),
      },
    });
    this.verifyFunction.grantObjects(
      { stage: config.stage, purpose: 'incoming' },
      incomingPrefix,
      ['s3:GetObject'],
      stateful.dataKey,
    );
    this.verifyFunction.addEventSource(
      new SqsEventSource(stateful.ingestQueue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: 10,
      }),
    );
  }
}
