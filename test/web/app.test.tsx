// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { App, parseRoute } from '../../web/src/app.tsx';
import { AGENCIES, DEV_CONFIG, DOCUMENT_TYPES, fakeFetch, makeToken } from './fake-workspace.tsx';

const signInBody = z.object({ agency: z.string(), role: z.enum(['agency', 'admin']) });

/** The local stack as the console sees it: config.json, the dev sign-in, the reference lists. */
function localStack() {
  return fakeFetch({
    'GET /config.json': () => DEV_CONFIG,
    'POST /dev/sign-in': (call) => ({ token: makeToken(signInBody.parse(call.body)) }),
    'GET /agencies': () => ({ items: AGENCIES }),
    'GET /document-types': () => ({ items: DOCUMENT_TYPES }),
    'GET /documents': () => ({ items: [] }),
    'GET /inbox': () => ({ items: [] }),
  });
}

async function signIn(role: 'Văn thư cơ quan' | 'Quản trị viên', agency: string) {
  fireEvent.click(await screen.findByRole('radio', { name: role }));
  fireEvent.change(screen.getByLabelText('Cơ quan'), { target: { value: agency } });
  fireEvent.click(screen.getByRole('button', { name: 'Đăng nhập' }));
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
  history.replaceState(null, '', '/');
});
afterEach(cleanup);

describe('App', () => {
  it('signs a clerk in on the local stack, names the agency in the header, and signs out', async () => {
    const api = localStack();
    render(<App fetchImpl={api.fetch} />);

    await signIn('Văn thư cơ quan', '000.00.12.H01');

    expect((await screen.findByTestId('signed-in-as')).textContent).toBe(
      'Đang làm việc: Sở Thông tin và Truyền thông — Văn thư cơ quan',
    );
    expect(await screen.findByRole('heading', { name: 'Gửi văn bản đã ký số' })).toBeTruthy();
    const signInCall = api.calls.find((c) => c.path === '/dev/sign-in');
    expect(signInCall?.body).toEqual({ agency: '000.00.12.H01', role: 'agency' });
    const agenciesCall = api.calls.find((c) => c.path === '/agencies');
    expect(agenciesCall?.headers.get('authorization')).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const nav = screen.getByRole('navigation', { name: 'Chức năng chính' });
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent)).toEqual([
      'Gửi văn bản',
      'Văn bản đã gửi',
      'Văn bản đến',
    ]);

    fireEvent.click(screen.getByRole('button', { name: 'Đăng xuất' }));

    expect(await screen.findByRole('heading', { name: 'Đăng nhập vào hệ thống' })).toBeTruthy();
    expect(sessionStorage.length).toBe(0);
  });

  it('switches every label between Vietnamese and English, and remembers the choice', async () => {
    const api = localStack();
    render(<App fetchImpl={api.fetch} />);
    await signIn('Văn thư cơ quan', '000.00.01.H01');
    await screen.findByRole('heading', { name: 'Gửi văn bản đã ký số' });

    fireEvent.click(screen.getByRole('button', { name: 'English' }));

    expect(screen.getByRole('heading', { name: 'Send a signed document' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Inbox' })).toBeTruthy();
    expect(screen.getByLabelText('Secrecy')).toBeTruthy();
    expect(screen.getByTestId('signed-in-as').textContent).toBe(
      'Working as: Văn phòng UBND tỉnh — Agency clerk',
    );
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem('edoc-hub.lang')).toBe('en');

    fireEvent.click(screen.getByRole('button', { name: 'Tiếng Việt' }));

    expect(screen.getByRole('heading', { name: 'Gửi văn bản đã ký số' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('vi');
  });

  it('routes by the hash, and keeps the administrator pages from a clerk', async () => {
    const api = localStack();
    render(<App fetchImpl={api.fetch} />);
    await signIn('Văn thư cơ quan', '000.00.01.H01');
    await screen.findByTestId('signed-in-as');

    act(() => {
      location.hash = '#/sent';
    });
    expect(await screen.findByRole('heading', { name: 'Văn bản đã gửi' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Văn bản đã gửi' }).getAttribute('aria-current')).toBe(
      'page',
    );

    act(() => {
      location.hash = '#/admin/approvals';
    });
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('Trang này chỉ dành cho quản trị viên.'),
    );
  });

  it('gives an administrator the administrator navigation', async () => {
    const api = localStack();
    render(<App fetchImpl={api.fetch} />);

    await signIn('Quản trị viên', '000.00.12.H01');

    expect((await screen.findByTestId('signed-in-as')).textContent).toBe(
      'Đang làm việc: Sở Thông tin và Truyền thông — Quản trị viên',
    );
    const nav = screen.getByRole('navigation', { name: 'Chức năng chính' });
    expect([...nav.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([
      '#/admin',
      '#/admin/directory',
      '#/admin/catalogue',
      '#/admin/approvals',
      '#/admin/reports',
    ]);
  });

  it('keeps a session across a reload of the page', async () => {
    const api = localStack();
    const first = render(<App fetchImpl={api.fetch} />);
    await signIn('Văn thư cơ quan', '000.00.15.H01');
    await screen.findByTestId('signed-in-as');
    first.unmount();

    render(<App fetchImpl={api.fetch} />);

    expect((await screen.findByTestId('signed-in-as')).textContent).toContain('Sở Tài chính');
    expect(api.calls.filter((c) => c.path === '/dev/sign-in')).toHaveLength(1);
  });

  it('names a broken config.json instead of showing an empty page', async () => {
    const api = fakeFetch({ 'GET /config.json': () => ({ apiUrl: '/api' }) });
    render(<App fetchImpl={api.fetch} />);

    expect((await screen.findByRole('alert')).textContent).toContain(
      'config.json needs apiUrl and auth',
    );
  });
});

describe('parseRoute', () => {
  it('reads the agreed hash routes', () => {
    expect(parseRoute('')).toEqual({ kind: 'home' });
    expect(parseRoute('#/upload')).toEqual({ kind: 'upload' });
    expect(parseRoute('#/documents/doc%2F1')).toEqual({ kind: 'document', id: 'doc/1' });
    expect(parseRoute('#/admin')).toEqual({ kind: 'admin', page: 'dashboard' });
    expect(parseRoute('#/admin/catalogue')).toEqual({ kind: 'admin', page: 'catalogue' });
    expect(parseRoute('#/admin/unknown')).toEqual({ kind: 'unknown' });
    expect(parseRoute('#/documents/%E0')).toEqual({ kind: 'unknown' });
  });
});
