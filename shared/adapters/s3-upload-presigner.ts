import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import type {
  PresignedPost,
  PresignPostRequest,
  UploadPresigner,
} from '#ports/upload-presigner.ts';

type PolicyCondition = NonNullable<PresignedPostOptions['Conditions']>[number];

/**
 * UploadPresigner as an S3 pre-signed POST. S3 itself enforces the policy: this one key, a size
 * between one byte and `maxBytes`, `application/pdf`, and a SHA-256 checksum equal to the
 * declared digest (S3 compares the body against `x-amz-checksum-sha256`). The form is signed with
 * the function's own credentials, so its role needs `s3:PutObject` on the key and the bucket
 * key's `kms:GenerateDataKey`.
 */
export class S3UploadPresigner implements UploadPresigner {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.#client = client;
    this.#bucket = bucket;
  }

  async presignPost(request: PresignPostRequest): Promise<PresignedPost> {
    const checksum = Buffer.from(request.sha256Hex, 'hex').toString('base64');
    const fields = {
      'Content-Type': request.contentType,
      'x-amz-checksum-algorithm': 'SHA256',
      'x-amz-checksum-sha256': checksum,
    };
    const conditions: PolicyCondition[] = [
      ['eq', '$key', request.key],
      ['content-length-range', 1, request.maxBytes],
      ...Object.entries(fields).map(([name, value]): PolicyCondition => ['eq', `$${name}`, value]),
    ];
    const { url, fields: signed } = await createPresignedPost(this.#client, {
      Bucket: this.#bucket,
      Key: request.key,
      Conditions: conditions,
      Fields: fields,
      Expires: request.expiresSeconds,
    });
    return { url, fields: signed };
  }
}
