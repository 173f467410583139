// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DirectoryEditor } from '../../../web/src/screens/admin/index.ts';
import { errorResponse, renderAsAdmin } from './admin-workspace.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const makeListed = (overrides: Record<string, unknown> = {}) => ({
  code: '000.00.12.H48',
  codeStatus: 'illustrative',
  name: 'Sở Thông tin và Truyền thông',
  kind: 'provincial-department',
  channel: 'province',
  enrolment: ['province-pilot', 'official'],
  issues: true,
  focalPoint: {
    name: 'Lê Văn Cường',
    email: 'vanthu.stttt@quangngai.gov.vn',
    phone: '0255 3822 012',
  },
  signerOrganizations: ['Sở TT&TT Quảng Ngãi'],
  organizationSigning: {
    key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-12-H48' },
    certificateChain: { kind: 'object', key: 'certificates/000.00.12.H48/chain.pem' },
  },
  version: 3,
  ...overrides,
});

const LIST = {
  items: [
    makeListed(),
    makeListed({
      code: '000.00.15.H48',
      name: 'Sở Tài chính',
      focalPoint: {
        name: 'Phạm Thị Dung',
        email: 'vanthu.stc@quangngai.gov.vn',
        phone: '0255 3822 015',
      },
      signerOrganizations: [],
      organizationSigning: undefined,
      issues: false,
      version: 7,
    }),
  ],
};

const row = (name: string) => {
  const header = screen.getByRole('rowheader', { name });
  const tr = header.closest('tr');
  if (tr === null) throw new Error('no row');
  return tr;
};

/** The message shown beside a field, through its aria-describedby. */
const describedErrors = (field: HTMLElement) =>
  (field.getAttribute('aria-describedby') ?? '').split(' ').flatMap((id) => {
    const element = document.getElementById(id);
    return element?.classList.contains('field-error') ? [element.textContent] : [];
  });

describe('DirectoryEditor', () => {
  it('finds agencies by name without accents', async () => {
    renderAsAdmin(<DirectoryEditor />, { 'GET /agencies': () => LIST });
    await screen.findByRole('rowheader', { name: 'Sở Tài chính' });

    fireEvent.input(screen.getByLabelText('Tìm cơ quan theo tên hoặc mã'), {
      target: { value: 'tai chinh' },
    });

    expect(screen.getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['Sở Tài chính']);
    expect(screen.getByText('1 cơ quan')).toBeTruthy();
  });

  it('saves an edit with the listed version and the whole record', async () => {
    const { calls } = renderAsAdmin(<DirectoryEditor />, {
      'GET /agencies': () => LIST,
      'PUT /admin/agencies/000.00.12.H48': (call) => call.body,
    });
    await screen.findByRole('rowheader', { name: 'Sở Thông tin và Truyền thông' });

    fireEvent.click(
      within(row('Sở Thông tin và Truyền thông')).getByRole('button', {
        name: 'Sửa Sở Thông tin và Truyền thông',
      }),
    );
    fireEvent.input(screen.getByLabelText('Điện thoại'), { target: { value: '0255 3822 099' } });
    fireEvent.input(screen.getByLabelText('Tên tổ chức trên chứng thư số của lãnh đạo'), {
      target: { value: 'Sở TT&TT Quảng Ngãi\nSở Thông tin và Truyền thông tỉnh Quảng Ngãi\n' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Lưu' }));

    expect((await screen.findByRole('status')).textContent).toBe(
      'Đã lưu Sở Thông tin và Truyền thông.',
    );
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.path).toBe('/admin/agencies/000.00.12.H48');
    expect(put?.body).toEqual({
      code: '000.00.12.H48',
      codeStatus: 'illustrative',
      name: 'Sở Thông tin và Truyền thông',
      kind: 'provincial-department',
      channel: 'province',
      focalPoint: {
        name: 'Lê Văn Cường',
        email: 'vanthu.stttt@quangngai.gov.vn',
        phone: '0255 3822 099',
      },
      enrolment: ['province-pilot', 'official'],
      signerOrganizations: ['Sở TT&TT Quảng Ngãi', 'Sở Thông tin và Truyền thông tỉnh Quảng Ngãi'],
      organizationSigning: {
        key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-12-H48' },
        certificateChain: { kind: 'object', key: 'certificates/000.00.12.H48/chain.pem' },
      },
      version: 3,
    });
    expect(put?.headers.get('authorization')).toMatch(/^Bearer /);
    await waitFor(() => expect(calls.filter((c) => c.path === '/agencies')).toHaveLength(2));
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('says someone else changed the agency when the API answers 409, and reloads on request', async () => {
    const { calls } = renderAsAdmin(<DirectoryEditor />, {
      'GET /agencies': () => LIST,
      'PUT /admin/agencies/000.00.15.H48': () =>
        errorResponse(409, 'VERSION_CONFLICT', 'agency 000.00.15.H48 changed since version 7'),
    });
    await screen.findByRole('rowheader', { name: 'Sở Tài chính' });

    fireEvent.click(screen.getByRole('button', { name: 'Sửa Sở Tài chính' }));
    fireEvent.input(screen.getByLabelText('Tên cơ quan'), {
      target: { value: 'Sở Tài chính tỉnh Quảng Ngãi' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Lưu' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      'Mục này vừa được người khác thay đổi. Hãy tải lại danh sách để xem bản mới nhất rồi sửa lại.',
    );
    expect(calls.find((c) => c.method === 'PUT')?.body).toMatchObject({ version: 7 });

    fireEvent.click(within(alert).getByRole('button', { name: 'Tải lại danh sách' }));

    await waitFor(() => expect(calls.filter((c) => c.path === '/agencies')).toHaveLength(2));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByLabelText('Tên cơ quan')).toBeNull();
  });

  it("shows a 400's field errors beside their fields and the rest above the form", async () => {
    const { calls } = renderAsAdmin(<DirectoryEditor />, {
      'GET /agencies': () => LIST,
      'POST /admin/agencies': () =>
        errorResponse(400, 'INVALID_AGENCY', 'the agency is not valid', [
          { field: 'code', message: 'must be a QCVN 102 agency identifier such as 000.00.00.H48' },
          { field: 'focalPoint.email', message: 'Invalid email address' },
          {
            field: 'signerOrganizations[1]',
            message: 'Too small: expected string to have >=1 characters',
          },
          { field: 'organizationSigning.key.keyId', message: 'Too small' },
          { field: 'region', message: 'is not an accepted field' },
        ]),
    });
    await screen.findByRole('rowheader', { name: 'Sở Tài chính' });

    fireEvent.click(screen.getByRole('button', { name: 'Thêm cơ quan' }));
    fireEvent.input(screen.getByLabelText('Mã định danh'), { target: { value: '12.H48' } });
    fireEvent.input(screen.getByLabelText('Tên cơ quan'), { target: { value: 'Sở Y tế' } });
    fireEvent.input(screen.getByLabelText('Thư điện tử'), { target: { value: 'vanthu.syt' } });
    fireEvent.change(screen.getByLabelText('Nơi lưu khóa'), { target: { value: 'kms' } });
    fireEvent.click(screen.getByRole('button', { name: 'Lưu' }));

    const email = await screen.findByLabelText('Thư điện tử');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(describedErrors(email)).toEqual(['Invalid email address']);
    expect(describedErrors(screen.getByLabelText('Mã định danh'))).toEqual([
      'must be a QCVN 102 agency identifier such as 000.00.00.H48',
    ]);
    expect(
      describedErrors(screen.getByLabelText('Tên tổ chức trên chứng thư số của lãnh đạo')),
    ).toEqual(['Too small: expected string to have >=1 characters']);
    expect(describedErrors(screen.getByLabelText('Mã khóa KMS'))).toEqual(['Too small']);
    expect(screen.getByLabelText('Tên cơ quan').getAttribute('aria-invalid')).toBeNull();

    const summary = screen.getByRole('alert');
    expect(summary.textContent).toContain('Có 5 trường chưa hợp lệ');
    expect(summary.textContent).toContain('region is not an accepted field');
    expect(summary.textContent).not.toContain('Invalid email address');
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      code: '12.H48',
      name: 'Sở Y tế',
      organizationSigning: { key: { kind: 'kms', keyId: '' } },
    });
  });

  it('deletes an agency after confirmation, sending its version', async () => {
    let listed = LIST.items;
    const { calls } = renderAsAdmin(<DirectoryEditor />, {
      'GET /agencies': () => ({ items: listed }),
      'DELETE /admin/agencies/000.00.15.H48': () => {
        listed = listed.filter((a) => a.code !== '000.00.15.H48');
        return new Response(null, { status: 204 });
      },
    });
    await screen.findByRole('rowheader', { name: 'Sở Tài chính' });

    fireEvent.click(screen.getByRole('button', { name: 'Xóa Sở Tài chính' }));
    expect(calls.filter((c) => c.method === 'DELETE')).toEqual([]);
    fireEvent.click(within(row('Sở Tài chính')).getByRole('button', { name: 'Xác nhận' }));

    expect((await screen.findByRole('status')).textContent).toBe('Đã xóa Sở Tài chính.');
    expect(calls.find((c) => c.method === 'DELETE')?.path).toBe(
      '/admin/agencies/000.00.15.H48?version=7',
    );
    await waitFor(() =>
      expect(screen.queryByRole('rowheader', { name: 'Sở Tài chính' })).toBeNull(),
    );
  });
});
