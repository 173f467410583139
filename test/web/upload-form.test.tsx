// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UploadForm } from '../../web/src/screens/upload-form.tsx';
import type { postToStorage } from '../../web/src/upload.ts';
import { DEV_CONFIG, fakeFetch, renderInWorkspace } from './fake-workspace.tsx';

/** SHA-256 of the three bytes "abc" (FIPS 180-2, appendix B.1). */
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

afterEach(cleanup);

const created = {
  id: 'doc-42',
  upload: {
    url: 'http://s3.local:4566/edoc-uploads',
    fields: { key: 'uploads/doc-42.pdf', policy: 'cG9saWN5', 'x-amz-signature': 'abcd' },
    expiresAt: '2019-04-25T02:15:00.000Z',
  },
  warnings: [],
};

function chooseFile(file: File) {
  const input = screen.getByLabelText<HTMLInputElement>('Tệp PDF đã được lãnh đạo ký số');
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
}

function fillMetadata() {
  const type = (label: string, value: string) =>
    fireEvent.input(screen.getByLabelText(label), { target: { value } });
  type('Số văn bản', '1808');
  type('Ký hiệu', 'UBND-KGVX');
  fireEvent.change(screen.getByLabelText('Loại văn bản'), { target: { value: 'cong-van' } });
  type('Trích yếu nội dung', 'Triển khai gửi nhận văn bản điện tử');
  type('Người ký', 'Nguyễn Văn A');
  type('Chức vụ người ký', 'Chủ tịch');
  fireEvent.input(screen.getByLabelText('Tìm cơ quan nhận theo tên hoặc mã'), {
    target: { value: 'thong tin' },
  });
  fireEvent.click(screen.getByRole('checkbox', { name: /Sở Thông tin và Truyền thông/ }));
}

describe('UploadForm', () => {
  it('refuses a document marked Tối mật with its explanation and never calls the API', async () => {
    const api = fakeFetch({ 'POST /documents': () => created });
    const postFile = vi.fn<typeof postToStorage>();
    renderInWorkspace(<UploadForm postFile={postFile} />, { fetch: api.fetch });
    chooseFile(new File(['abc'], 'cv.pdf', { type: 'application/pdf' }));
    fillMetadata();

    fireEvent.change(screen.getByLabelText('Độ mật'), { target: { value: 'toi-mat' } });

    const notice = screen.getByTestId('secret-notice');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(notice.textContent).toContain('Quyết định 28/2018/QĐ-TTg');
    expect(notice.textContent).toContain('bản giấy');
    const send = screen.getByRole<HTMLButtonElement>('button', { name: 'Ký gửi' });
    expect(send.disabled).toBe(true);
    const form = send.closest('form');
    if (form === null) throw new Error('the send button is outside a form');
    fireEvent.submit(form);
    await screen.findByText(/Không thể gửi văn bản mật qua hệ thống/);
    expect(api.calls).toEqual([]);
    expect(postFile).not.toHaveBeenCalled();
  });

  it('lists the missing fields instead of sending an incomplete form', async () => {
    const api = fakeFetch({ 'POST /documents': () => created });
    renderInWorkspace(<UploadForm postFile={vi.fn()} />, { fetch: api.fetch });

    fireEvent.click(screen.getByRole('button', { name: 'Ký gửi' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Vui lòng nhập Tệp PDF đã được lãnh đạo ký số.');
    expect(alert.textContent).toContain('Vui lòng nhập Nơi nhận.');
    expect(api.calls).toEqual([]);
  });

  it('announces the SHA-256 of the file, uploads it with a progress bar, then opens its timeline', async () => {
    const api = fakeFetch({ 'POST /documents': () => created });
    let progress: ((sent: number, total: number) => void) | undefined;
    let finish: (() => void) | undefined;
    const postFile = vi.fn<typeof postToStorage>(
      (_form, _file, onProgress) =>
        new Promise<void>((resolve) => {
          progress = onProgress;
          finish = resolve;
        }),
    );
    const config = {
      ...DEV_CONFIG,
      storageRewrite: { from: 'http://s3.local:4566', to: 'http://console.test/storage' },
    };
    const { navigate } = renderInWorkspace(<UploadForm postFile={postFile} />, {
      fetch: api.fetch,
      config,
    });
    chooseFile(new File(['abc'], 'cv.pdf', { type: 'application/pdf' }));
    fillMetadata();

    fireEvent.click(screen.getByRole('button', { name: 'Ký gửi' }));

    await waitFor(() => expect(postFile).toHaveBeenCalledOnce());
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]?.method).toBe('POST');
    expect(api.calls[0]?.path).toBe('/documents');
    expect(api.calls[0]?.body).toMatchObject({
      number: 1808,
      notation: 'UBND-KGVX',
      typeCode: 'cong-van',
      secrecy: 'none',
      urgency: 'normal',
      recipients: ['000.00.12.H01'],
      signer: { name: 'Nguyễn Văn A', position: 'Chủ tịch' },
      sha256: ABC_SHA256,
      size: 3,
    });
    const [form, file] = postFile.mock.calls[0] ?? [];
    expect(form).toEqual({
      url: 'http://console.test/storage/edoc-uploads',
      fields: created.upload.fields,
    });
    expect(file?.size).toBe(3);
    expect(screen.getByText(`Mã băm SHA-256: ${ABC_SHA256}`)).toBeTruthy();

    act(() => progress?.(1, 3));
    const bar = screen.getByLabelText<HTMLProgressElement>('Tiến độ tải lên');
    expect(bar.tagName).toBe('PROGRESS');
    expect(bar.getAttribute('value')).toBe('1');
    expect(bar.getAttribute('max')).toBe('3');
    expect(screen.getByText('Đang tải tệp lên… 33%')).toBeTruthy();
    expect(navigate).not.toHaveBeenCalled();

    await act(async () => finish?.());
    expect(navigate).toHaveBeenCalledWith('#/documents/doc-42');
  });

  it('shows the field errors the API answers and lets the clerk try again', async () => {
    const api = fakeFetch({
      'POST /documents': () =>
        new Response(
          JSON.stringify({
            error: {
              code: 'DUPLICATE_NUMBER',
              message: 'taken',
              details: [{ field: 'number', message: 'already used this year' }],
            },
          }),
          { status: 409 },
        ),
    });
    const postFile = vi.fn<typeof postToStorage>();
    renderInWorkspace(<UploadForm postFile={postFile} />, { fetch: api.fetch });
    chooseFile(new File(['abc'], 'cv.pdf', { type: 'application/pdf' }));
    fillMetadata();

    fireEvent.click(screen.getByRole('button', { name: 'Ký gửi' }));

    expect((await screen.findByRole('alert')).textContent).toContain(
      'number: already used this year',
    );
    expect(postFile).not.toHaveBeenCalled();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Ký gửi' }).disabled).toBe(false);
  });
});
