import * as z from 'zod';

const S3RecordSchema = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), size: z.number().optional() }),
  }),
});

const NotificationSchema = z.union([
  z.object({ Records: z.array(S3RecordSchema) }),
  // Sent once when the notification is configured; carries no object.
  z.object({ Event: z.literal('s3:TestEvent') }),
]);

export interface UploadedObject {
  readonly bucket: string;
  readonly key: string;
}

/**
 * The objects created, from an S3 notification carried in an SQS message body.
 * Keys arrive URL-encoded with '+' for spaces.
 */
export function parseS3Notification(body: string): UploadedObject[] {
  const parsed = NotificationSchema.parse(JSON.parse(body));
  if (!('Records' in parsed)) return [];
  return parsed.Records.filter((r) => r.eventName.startsWith('ObjectCreated:')).map((r) => ({
    bucket: r.s3.bucket.name,
    key: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')),
  }));
}
