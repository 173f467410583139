// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CatalogueEditor } from '../../../web/src/screens/admin/index.ts';
import { errorResponse, renderAsAdmin } from './admin-workspace.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const LIST = {
  items: [
    {
      code: 'cong-van',
      name: 'Công văn',
      abbreviation: null,
      issuanceForm: 'electronic-only',
      retentionYears: 10,
      version: 1,
    },
    {
      code: 'quyet-dinh',
      name: 'Quyết định',
      abbreviation: 'QĐ',
      issuanceForm: 'electronic-and-paper',
      retentionYears: 20,
      version: 4,
    },
  ],
};

describe('CatalogueEditor', () => {
  it('creates a type without abbreviation as null and its retention as a number', async () => {
    const { calls } = renderAsAdmin(<CatalogueEditor />, {
      'GET /document-types': () => LIST,
      'POST /admin/document-types': (call) => ({ ...(call.body as object), version: 1 }),
    });
    await screen.findByRole('rowheader', { name: 'Quyết định' });

    fireEvent.click(screen.getByRole('button', { name: 'Thêm loại văn bản' }));
    fireEvent.input(screen.getByLabelText('Mã loại'), { target: { value: 'to-trinh' } });
    fireEvent.input(screen.getByLabelText('Tên loại văn bản'), { target: { value: 'Tờ trình' } });
    fireEvent.change(screen.getByLabelText('Hình thức phát hành'), {
      target: { value: 'electronic-only' },
    });
    fireEvent.input(screen.getByLabelText('Thời hạn lưu trữ (năm)'), { target: { value: '15' } });
    fireEvent.click(screen.getByRole('button', { name: 'Lưu' }));

    expect((await screen.findByRole('status')).textContent).toBe('Đã lưu Tờ trình.');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      code: 'to-trinh',
      name: 'Tờ trình',
      abbreviation: null,
      issuanceForm: 'electronic-only',
      retentionYears: 15,
    });
    await waitFor(() => expect(calls.filter((c) => c.path === '/document-types')).toHaveLength(2));
  });

  it('shows the retention error beside its field', async () => {
    renderAsAdmin(<CatalogueEditor />, {
      'GET /document-types': () => LIST,
      'PUT /admin/document-types/quyet-dinh': () =>
        errorResponse(400, 'INVALID_DOCUMENT_TYPE', 'the type is not valid', [
          { field: 'retentionYears', message: 'Too big: expected number to be <=100' },
        ]),
    });
    await screen.findByRole('rowheader', { name: 'Quyết định' });

    fireEvent.click(screen.getByRole('button', { name: 'Sửa Quyết định' }));
    expect(screen.getByLabelText<HTMLInputElement>('Mã loại').readOnly).toBe(true);
    fireEvent.input(screen.getByLabelText('Thời hạn lưu trữ (năm)'), { target: { value: '500' } });
    fireEvent.click(screen.getByRole('button', { name: 'Lưu' }));

    const years = screen.getByLabelText('Thời hạn lưu trữ (năm)');
    await waitFor(() => expect(years.getAttribute('aria-invalid')).toBe('true'));
    const errorId = years
      .getAttribute('aria-describedby')
      ?.split(' ')
      .find((id) => id.endsWith('-error'));
    expect(document.getElementById(errorId ?? '')?.textContent).toBe(
      'Too big: expected number to be <=100',
    );
  });

  it('says someone else changed the type on a 409 delete', async () => {
    const { calls } = renderAsAdmin(<CatalogueEditor />, {
      'GET /document-types': () => LIST,
      'DELETE /admin/document-types/cong-van': () =>
        errorResponse(409, 'VERSION_CONFLICT', 'changed'),
    });
    await screen.findByRole('rowheader', { name: 'Công văn' });

    fireEvent.click(screen.getByRole('button', { name: 'Xóa Công văn' }));
    fireEvent.click(screen.getByRole('button', { name: 'Xác nhận' }));

    expect((await screen.findByRole('alert')).textContent).toContain(
      'Mục này vừa được người khác thay đổi.',
    );
    expect(calls.find((c) => c.method === 'DELETE')?.path).toBe(
      '/admin/document-types/cong-van?version=1',
    );
  });
});
