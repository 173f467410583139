// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { postToStorage, sha256Hex, UploadError } from '../../web/src/upload.ts';

/**
 * Stands in for the browser's XMLHttpRequest: records what is sent and lets the test play the
 * storage's part (progress events, then the answer).
 */
class RecordingXhr {
  static last: RecordingXhr | undefined;
  readonly upload = new EventTarget();
  readonly #events = new EventTarget();
  method = '';
  url = '';
  body: FormData | undefined;
  status = 0;
  responseText = '';

  constructor() {
    RecordingXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  send(body: FormData) {
    this.body = body;
  }
  addEventListener(type: string, listener: () => void) {
    this.#events.addEventListener(type, listener);
  }
  progress(loaded: number, total: number) {
    this.upload.dispatchEvent(
      Object.assign(new Event('progress'), { lengthComputable: true, loaded, total }),
    );
  }
  answer(status: number, text = '') {
    this.status = status;
    this.responseText = text;
    this.#events.dispatchEvent(new Event('load'));
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  RecordingXhr.last = undefined;
});

const form = {
  url: 'http://s3.local/bucket',
  fields: { key: 'uploads/doc-1.pdf', policy: 'cA==' },
};

describe('postToStorage', () => {
  it('posts the policy fields before the file and reports progress to the end', async () => {
    vi.stubGlobal('XMLHttpRequest', RecordingXhr);
    const file = new File(['0123456789'], 'cv.pdf', { type: 'application/pdf' });
    const seen: [number, number][] = [];

    const done = postToStorage(form, file, (sent, total) => seen.push([sent, total]));
    const xhr = RecordingXhr.last;
    xhr?.progress(4, 10);
    xhr?.answer(204);
    await done;

    expect(xhr?.method).toBe('POST');
    expect(xhr?.url).toBe('http://s3.local/bucket');
    expect([...(xhr?.body?.keys() ?? [])]).toEqual(['key', 'policy', 'file']);
    expect(seen).toEqual([
      [4, 10],
      [10, 10],
    ]);
  });

  it('rejects with the status and the storage error when the upload is refused', async () => {
    vi.stubGlobal('XMLHttpRequest', RecordingXhr);

    const done = postToStorage(form, new File(['x'], 'cv.pdf'), () => undefined);
    RecordingXhr.last?.answer(403, '<Error><Code>AccessDenied</Code></Error>');

    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect(error).toMatchObject({ status: 403 });
    expect(String(error)).toContain('AccessDenied');
  });
});

describe('sha256Hex', () => {
  it('gives the FIPS 180-2 digest of "abc" in lower-case hex', async () => {
    expect(await sha256Hex(new Blob(['abc']))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
