import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiClient } from './api.ts';
import {
  cognitoSignOutUrl,
  completeCognitoSignIn,
  type Session,
  storedSession,
  storeSession,
} from './auth.ts';
import { AsyncView } from './components/async-view.tsx';
import { type ConsoleConfig, loadConfig } from './config.ts';
import { agencyName, type Workspace, WorkspaceContext } from './context.ts';
import {
  I18nContext,
  type Lang,
  type MessageKey,
  makeI18n,
  storedLang,
  storeLang,
  useI18n,
} from './i18n.ts';
import {
  AdminDashboard,
  ApprovalsScreen,
  CatalogueEditor,
  DirectoryEditor,
  ReportsScreen,
} from './screens/admin/index.ts';
import { DocumentStatus } from './screens/document-status.tsx';
import { Inbox } from './screens/inbox.tsx';
import { SentList } from './screens/sent-list.tsx';
import { SignIn } from './screens/sign-in.tsx';
import { UploadForm } from './screens/upload-form.tsx';
import { useAsync } from './use-async.ts';

type AdminPage = 'dashboard' | 'directory' | 'catalogue' | 'approvals' | 'reports';

export type Route =
  | { readonly kind: 'home' }
  | { readonly kind: 'upload' }
  | { readonly kind: 'sent' }
  | { readonly kind: 'inbox' }
  | { readonly kind: 'document'; readonly id: string }
  | { readonly kind: 'admin'; readonly page: AdminPage }
  | { readonly kind: 'unknown' };

const ADMIN_PAGES: Readonly<Record<string, AdminPage>> = {
  '': 'dashboard',
  directory: 'directory',
  catalogue: 'catalogue',
  approvals: 'approvals',
  reports: 'reports',
};

/** The console's hash routes (`#/upload`, `#/documents/<id>`, `#/admin/directory`…). */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').replace(/\/+$/, '');
  if (path === '') return { kind: 'home' };
  if (path === 'upload' || path === 'sent' || path === 'inbox') return { kind: path };
  const document = /^documents\/([^/]+)$/.exec(path);
  if (document?.[1] !== undefined) {
    try {
      return { kind: 'document', id: decodeURIComponent(document[1]) };
    } catch {
      return { kind: 'unknown' };
    }
  }
  const admin = /^admin(?:\/([a-z]+))?$/.exec(path);
  const page = admin ? ADMIN_PAGES[admin[1] ?? ''] : undefined;
  return page === undefined ? { kind: 'unknown' } : { kind: 'admin', page };
}

const browserFetch: typeof fetch = (input, init) => fetch(input, init);

/**
 * The whole console: language, configuration, sign-in, then the signed-in workspace. `fetchImpl`
 * answers for `config.json`, the dev sign-in and the API (tests pass a fake).
 */
export function App({ fetchImpl = browserFetch }: { fetchImpl?: typeof fetch }) {
  const [lang, setLang] = useState<Lang>(storedLang);
  const i18n = useMemo(
    () =>
      makeI18n(lang, (next) => {
        storeLang(next);
        setLang(next);
      }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return (
    <I18nContext.Provider value={i18n}>
      <Boot fetchImpl={fetchImpl} />
    </I18nContext.Provider>
  );
}

function Boot({ fetchImpl }: { fetchImpl: typeof fetch }) {
  const { t } = useI18n();
  const { state, reload } = useAsync(async () => {
    const config = await loadConfig(fetchImpl);
    if (config.auth.kind === 'cognito') {
      const returned = await completeCognitoSignIn(config.auth);
      if (returned) storeSession(returned);
    }
    return { config, session: storedSession() };
  }, []);
  if (state.kind === 'failed') {
    return (
      <Frame>
        <div role="alert">
          <p>{t('configFailed', { message: state.error.message })}</p>
          <button type="button" onClick={reload}>
            {t('retry')}
          </button>
        </div>
      </Frame>
    );
  }
  if (state.kind === 'loading') {
    return (
      <Frame>
        <p aria-busy="true">{t('loading')}</p>
      </Frame>
    );
  }
  return <Signed config={state.value.config} initial={state.value.session} fetchImpl={fetchImpl} />;
}

function Signed(props: {
  config: ConsoleConfig;
  initial: Session | undefined;
  fetchImpl: typeof fetch;
}) {
  const { config, fetchImpl } = props;
  const [session, setSession] = useState(props.initial);
  const signIn = useCallback((next: Session) => {
    storeSession(next);
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    storeSession(undefined);
    setSession(undefined);
    if (config.auth.kind === 'cognito') location.assign(cognitoSignOutUrl(config.auth));
  }, [config]);
  if (session === undefined) {
    return (
      <Frame>
        <SignIn config={config} onSignedIn={signIn} fetchImpl={fetchImpl} />
      </Frame>
    );
  }
  return (
    <Console
      key={session.token}
      config={config}
      session={session}
      fetchImpl={fetchImpl}
      onSignOut={signOut}
    />
  );
}

function useHashRoute(): Route {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}

const CLERK_NAV = [
  ['#/upload', 'navUpload'],
  ['#/sent', 'navSent'],
  ['#/inbox', 'navInbox'],
] as const satisfies readonly (readonly [string, MessageKey])[];

const ADMIN_NAV = [
  ['#/admin', 'navDashboard'],
  ['#/admin/directory', 'navDirectory'],
  ['#/admin/catalogue', 'navCatalogue'],
  ['#/admin/approvals', 'navApprovals'],
  ['#/admin/reports', 'navReports'],
] as const satisfies readonly (readonly [string, MessageKey])[];

function routeHash(route: Route, role: Session['role']): string {
  switch (route.kind) {
    case 'home':
      return role === 'admin' ? '#/admin' : '#/upload';
    case 'admin':
      return route.page === 'dashboard' ? '#/admin' : `#/admin/${route.page}`;
    case 'document':
    case 'unknown':
      return '';
    default:
      return `#/${route.kind}`;
  }
}

function Console(props: {
  config: ConsoleConfig;
  session: Session;
  fetchImpl: typeof fetch;
  onSignOut: () => void;
}) {
  const { config, session, fetchImpl, onSignOut } = props;
  const { t } = useI18n();
  const route = useHashRoute();
  const main = useRef<HTMLElement>(null);
  const api = useMemo(() => {
    // An expired or revoked token ends the session rather than failing every screen.
    const signedFetch: typeof fetch = async (input, init) => {
      const response = await fetchImpl(input, init);
      if (response.status === 401) onSignOut();
      return response;
    };
    return new ApiClient(config.apiUrl, session.token, signedFetch);
  }, [config, session, fetchImpl, onSignOut]);
  const reference = useAsync(() => Promise.all([api.agencies(), api.documentTypes()]), [api]);
  const navigate = useCallback((hash: string) => {
    location.hash = hash;
  }, []);

  const current = routeHash(route, session.role);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [route]);

  // Until the directory answers, the dev sign-in's list names the agency.
  const agencies =
    reference.state.kind === 'ready'
      ? reference.state.value[0].items
      : config.auth.kind === 'dev'
        ? config.auth.agencies
        : [];
  const who = `${agencyName(agencies, session.agency)} — ${t(session.role === 'admin' ? 'roleAdmin' : 'roleAgency')}`;
  const nav = session.role === 'admin' ? ADMIN_NAV : CLERK_NAV;

  return (
    <>
      <SkipLink target={main} />
      <Header who={who} onSignOut={onSignOut} />
      <nav class="container main-nav" aria-label={t('mainNav')}>
        <ul>
          {nav.map(([hash, label]) => (
            <li key={hash}>
              <a href={hash} aria-current={hash === current ? 'page' : undefined}>
                {t(label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="container" tabIndex={-1} ref={main}>
        <AsyncView state={reference.state} reload={reference.reload}>
          {([agencyList, typeList]) => {
            const workspace: Workspace = {
              config,
              session,
              api,
              agencies: agencyList.items,
              documentTypes: typeList.items,
              navigate,
            };
            return (
              <WorkspaceContext.Provider value={workspace}>
                <Screen route={route} role={session.role} />
              </WorkspaceContext.Provider>
            );
          }}
        </AsyncView>
      </main>
    </>
  );
}

function Screen({ route, role }: { route: Route; role: Session['role'] }) {
  const { t } = useI18n();
  switch (route.kind) {
    case 'home':
      return role === 'admin' ? <AdminDashboard /> : <UploadForm />;
    case 'upload':
      return <UploadForm />;
    case 'sent':
      return <SentList />;
    case 'inbox':
      return <Inbox />;
    case 'document':
      return <DocumentStatus key={route.id} id={route.id} />;
    case 'admin':
      if (role !== 'admin') return <p role="alert">{t('notAllowed')}</p>;
      switch (route.page) {
        case 'dashboard':
          return <AdminDashboard />;
        case 'directory':
          return <DirectoryEditor />;
        case 'catalogue':
          return <CatalogueEditor />;
        case 'approvals':
          return <ApprovalsScreen />;
        case 'reports':
          return <ReportsScreen />;
      }
      return null;
    case 'unknown':
      return <p role="alert">{t('notFound')}</p>;
  }
}

/** The page around the sign-in and loading screens: header without a session, then content. */
function Frame({ children }: { children: ComponentChildren }) {
  const main = useRef<HTMLElement>(null);
  return (
    <>
      <SkipLink target={main} />
      <Header />
      <main id="main" class="container" tabIndex={-1} ref={main}>
        {children}
      </main>
    </>
  );
}

/** Moves focus to the content without touching the hash, which the router owns. */
function SkipLink({ target }: { target: { current: HTMLElement | null } }) {
  const { t } = useI18n();
  return (
    <button type="button" class="skip-link" onClick={() => target.current?.focus()}>
      {t('skipToContent')}
    </button>
  );
}

function Header(props: { who?: string; onSignOut?: () => void }) {
  const { t, lang, setLang } = useI18n();
  const other: Lang = lang === 'vi' ? 'en' : 'vi';
  return (
    <header class="container app-header">
      <nav>
        <ul>
          <li>
            <strong>{t('appName')}</strong>
          </li>
        </ul>
        <ul>
          {props.who ? (
            <li class="who" data-testid="signed-in-as">
              {t('signedInAs', { who: props.who })}
            </li>
          ) : null}
          <li>
            <button
              type="button"
              class="secondary outline"
              lang={other}
              title={t('language')}
              onClick={() => setLang(other)}
            >
              {t('switchLanguage')}
            </button>
          </li>
          {props.onSignOut ? (
            <li>
              <button type="button" class="secondary" onClick={props.onSignOut}>
                {t('signOut')}
              </button>
            </li>
          ) : null}
        </ul>
      </nav>
    </header>
  );
}
