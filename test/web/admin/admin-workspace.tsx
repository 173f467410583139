import type { ComponentChildren } from 'preact';
import type { Lang } from '../../../web/src/i18n.ts';
import { type FakeRoute, fakeFetch, makeToken, renderInWorkspace } from '../fake-workspace.tsx';

/**
 * An administrator's workspace over one fake API: every call, the admin screens' PUT and DELETE
 * included, goes through the workspace's `ApiClient` and its injected fake, recorded in order.
 */
export function renderAsAdmin(
  ui: ComponentChildren,
  routes: Readonly<Record<string, FakeRoute>>,
  lang: Lang = 'vi',
) {
  const api = fakeFetch(routes);
  const rendered = renderInWorkspace(ui, {
    fetch: api.fetch,
    lang,
    session: {
      agency: '000.00.00.H01',
      role: 'admin',
      token: makeToken({ agency: '000.00.00.H01', role: 'admin' }),
    },
  });
  return { ...rendered, calls: api.calls };
}

export const errorResponse = (
  status: number,
  code: string,
  message: string,
  details: readonly { field: string; message: string }[] = [],
) =>
  new Response(JSON.stringify({ error: { code, message, details } }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
