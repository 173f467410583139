import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AxisOutbox, StepQueue } from '#shared/pipeline/ports.ts';

/** The hand-over to the next pipeline step: one JSON message `{ documentId }` per document. */
export class SqsStepQueue implements StepQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(message: { readonly documentId: string }): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify({ documentId: message.documentId }),
      }),
    );
  }
}

/** The national axis outbox: one JSON message `{ documentId, recipient, edxmlKey }` each. */
export class SqsAxisOutbox implements AxisOutbox {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(message: {
    readonly documentId: string;
    readonly recipient: string;
    readonly edxmlKey: string;
  }): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}
