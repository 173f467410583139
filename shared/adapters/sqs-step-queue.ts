import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AxisOutboxMessage } from '#shared/axis/outbox-message.ts';
import type { AxisStatusOutbox } from '#shared/axis/report-status-to-axis.ts';
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

/**
 * The national axis outbox: one JSON message each, a package to send (`{ documentId, recipient,
 * edxmlKey }`, from the route step) or a status to report (`{ kind: 'status', … }`, from the API).
 */
export class SqsAxisOutbox implements AxisOutbox, AxisStatusOutbox {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(message: AxisOutboxMessage): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}
