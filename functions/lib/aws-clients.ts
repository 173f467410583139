import { S3Client } from '@aws-sdk/client-s3';
import { optionalEnv } from './env.ts';

/**
 * S3 client shared by the handlers. Checksums only when required: the default CRC32 on every
 * request corrupts streamed bodies on local emulators and adds nothing S3 needs here.
 * `EDOC_S3_ENDPOINT` is set only by the local stack, to reach its emulator with path-style URLs.
 */
export function makeS3Client(): S3Client {
  const endpoint = optionalEnv('EDOC_S3_ENDPOINT');
  return new S3Client({
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
}
