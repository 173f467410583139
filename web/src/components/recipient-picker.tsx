import { useState } from 'preact/hooks';
import type { Agency } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { matches } from '../search.ts';
import { SearchBox } from './search-box.tsx';

/**
 * Recipients from the directory: a search box (accent-insensitive, by name or code) filtering a
 * list of checkboxes, and the chosen ones as removable buttons.
 */
export function RecipientPicker(props: {
  agencies: readonly Agency[];
  exclude: string;
  value: readonly string[];
  onChange: (codes: string[]) => void;
  describedBy?: string;
}) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const candidates = props.agencies.filter(
    (a) => a.code !== props.exclude && matches(query, a.name, a.code),
  );
  const toggle = (code: string, on: boolean) =>
    props.onChange(on ? [...props.value, code] : props.value.filter((c) => c !== code));
  const chosen = props.agencies.filter((a) => props.value.includes(a.code));
  return (
    <fieldset class="recipients" aria-describedby={props.describedBy}>
      <legend>{t('recipients')}</legend>
      <SearchBox label={t('recipientSearch')} value={query} onInput={setQuery} />
      <div class="recipient-list">
        {candidates.length === 0 ? <p>{t('noMatch')}</p> : null}
        {candidates.map((a) => (
          <label key={a.code}>
            <input
              type="checkbox"
              checked={props.value.includes(a.code)}
              onChange={(e) => toggle(a.code, e.currentTarget.checked)}
            />
            {a.name} <small>{a.code}</small>
          </label>
        ))}
      </div>
      <p aria-live="polite">
        {chosen.length === 0
          ? t('recipientsNone')
          : t('recipientsChosen', { count: chosen.length })}
      </p>
      <ul class="chips">
        {chosen.map((a) => (
          <li key={a.code}>
            <button
              type="button"
              class="secondary outline"
              aria-label={t('remove', { name: a.name })}
              onClick={() => toggle(a.code, false)}
            >
              {a.name} ×
            </button>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
