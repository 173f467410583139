import { useState } from 'preact/hooks';
import { devSignIn, type Session, startCognitoSignIn } from '../auth.ts';
import type { ConsoleConfig } from '../config.ts';
import { useI18n } from '../i18n.ts';

type Role = Session['role'];

/**
 * Sign-in: on the local stack, pick an agency and a role and the console server signs a
 * development token; in AWS, off to the Cognito hosted UI.
 */
export function SignIn(props: {
  config: ConsoleConfig;
  onSignedIn: (session: Session) => void;
  fetchImpl?: typeof fetch;
}) {
  const { auth } = props.config;
  const { t } = useI18n();
  const [agency, setAgency] = useState(auth.kind === 'dev' ? (auth.agencies[0]?.code ?? '') : '');
  const [role, setRole] = useState<Role>('agency');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const fail = (e: unknown) => {
    setBusy(false);
    setError(t('signInFailed', { reason: e instanceof Error ? e.message : String(e) }));
  };

  if (auth.kind === 'cognito') {
    return (
      <section aria-labelledby="sign-in-title" class="sign-in">
        <h1 id="sign-in-title">{t('signInTitle')}</h1>
        <p>{t('signInCognitoHint')}</p>
        {error ? <p role="alert">{error}</p> : null}
        <button
          type="button"
          aria-busy={busy ? 'true' : undefined}
          disabled={busy}
          onClick={() => {
            setBusy(true);
            startCognitoSignIn(auth).catch(fail);
          }}
        >
          {t('signInCognito')}
        </button>
      </section>
    );
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (auth.kind !== 'dev' || agency === '') return;
    setBusy(true);
    setError(undefined);
    try {
      props.onSignedIn(await devSignIn(auth, { agency, role }, props.fetchImpl));
    } catch (e) {
      fail(e);
    }
  }

  return (
    <section aria-labelledby="sign-in-title" class="sign-in">
      <h1 id="sign-in-title">{t('signInTitle')}</h1>
      <p>{t('signInDevHint')}</p>
      <form onSubmit={submit}>
        {error ? <p role="alert">{error}</p> : null}
        <fieldset>
          <legend>{t('signInAs')}</legend>
          {(['agency', 'admin'] as const).map((r) => (
            <label key={r}>
              <input
                type="radio"
                name="role"
                value={r}
                checked={role === r}
                onChange={() => setRole(r)}
              />
              {t(r === 'admin' ? 'roleAdmin' : 'roleAgency')}
            </label>
          ))}
        </fieldset>
        <div>
          <label for="sign-in-agency">{t('agency')}</label>
          <select
            id="sign-in-agency"
            required
            value={agency}
            onChange={(e) => setAgency(e.currentTarget.value)}
          >
            {auth.agencies.map((a) => (
              <option key={a.code} value={a.code}>
                {a.name} ({a.code})
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          disabled={busy || agency === ''}
          aria-busy={busy ? 'true' : undefined}
        >
          {t('signIn')}
        </button>
      </form>
    </section>
  );
}
