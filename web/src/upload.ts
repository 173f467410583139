/** SHA-256 of the file in lower-case hex, computed in the browser as `POST /documents` wants it. */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface UploadForm {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Thrown when storage refuses the upload; `body` is its XML error, if any. */
export class UploadError extends Error {
  readonly status: number;

  constructor(status: number, body: string) {
    super(`upload refused (HTTP ${status})${body ? `: ${body.slice(0, 200)}` : ''}`);
    this.name = 'UploadError';
    this.status = status;
  }
}

/**
 * Sends the file straight to S3 with the pre-signed POST form: the policy fields first, the file
 * last, as S3 requires. XMLHttpRequest rather than fetch, because only it reports upload progress.
 */
export function postToStorage(
  form: UploadForm,
  file: Blob,
  onProgress: (sent: number, total: number) => void,
): Promise<void> {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append('file', file);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.url);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else {
        reject(new UploadError(xhr.status, xhr.responseText));
      }
    });
    xhr.addEventListener('error', () => reject(new UploadError(0, 'network error')));
    xhr.send(body);
  });
}
