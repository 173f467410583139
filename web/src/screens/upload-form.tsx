import { useState } from 'preact/hooks';
import {
  SECRECY_LEVELS,
  type Secrecy,
  URGENCIES,
  type Urgency,
} from '#shared/documents/metadata.ts';
import { ApiError } from '../api.ts';
import { RecipientPicker } from '../components/recipient-picker.tsx';
import { storageUrl } from '../config.ts';
import { useWorkspace } from '../context.ts';
import { type MessageKey, useI18n } from '../i18n.ts';
import { postToStorage, sha256Hex } from '../upload.ts';

const urgencyOf = (value: string): Urgency => URGENCIES.find((u) => u === value) ?? 'normal';
const secrecyOf = (value: string): Secrecy => SECRECY_LEVELS.find((s) => s === value) ?? 'none';

type Step =
  | { kind: 'editing' }
  | { kind: 'hashing' }
  | { kind: 'announcing'; sha256: string }
  | { kind: 'uploading'; sha256: string; sent: number; total: number };

/** Today in the province (UTC+7), as the date input and the API want it. */
const provinceToday = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

/**
 * The clerk's upload: metadata form, SHA-256 in the browser, `POST /documents`, then the file
 * straight to storage with the pre-signed form and a real progress bar. Secret documents stop
 * here, before anything is sent. `postFile` is the upload to storage (tests pass their own).
 */
export function UploadForm({ postFile = postToStorage }: { postFile?: typeof postToStorage }) {
  const { api, config, session, agencies, documentTypes, navigate } = useWorkspace();
  const { t } = useI18n();
  const [file, setFile] = useState<File | undefined>();
  const [number, setNumber] = useState('');
  const [notation, setNotation] = useState('');
  const [typeCode, setTypeCode] = useState('');
  const [subject, setSubject] = useState('');
  const [promulgationDate, setPromulgationDate] = useState(provinceToday);
  const [signerName, setSignerName] = useState('');
  const [signerPosition, setSignerPosition] = useState('');
  const [urgency, setUrgency] = useState<Urgency>('normal');
  const [secrecy, setSecrecy] = useState<Secrecy>('none');
  const [recipients, setRecipients] = useState<string[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [step, setStep] = useState<Step>({ kind: 'editing' });

  const secret = secrecy !== 'none';
  const busy = step.kind !== 'editing';

  function missing(): string[] {
    const required: [unknown, MessageKey][] = [
      [file, 'file'],
      [number, 'number'],
      [notation.trim(), 'notation'],
      [typeCode, 'documentType'],
      [subject.trim(), 'subject'],
      [signerName.trim(), 'signerName'],
      [signerPosition.trim(), 'signerPosition'],
      [recipients.length > 0 ? 'ok' : '', 'recipients'],
    ];
    return required
      .filter(([value]) => value === undefined || value === '')
      .map(([, field]) => t('fieldRequired', { field: t(field) }));
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (secret) {
      setErrors([t('secretRefused')]);
      return;
    }
    const problems = missing();
    if (problems.length > 0 || file === undefined) {
      setErrors(problems);
      return;
    }
    setErrors([]);
    try {
      setStep({ kind: 'hashing' });
      const sha256 = await sha256Hex(file);
      setStep({ kind: 'announcing', sha256 });
      const created = await api.createDocument({
        number: Number(number),
        notation: notation.trim(),
        typeCode,
        subject: subject.trim(),
        promulgationDate,
        signer: { name: signerName.trim(), position: signerPosition.trim() },
        urgency,
        secrecy,
        recipients,
        sha256,
        size: file.size,
      });
      setStep({ kind: 'uploading', sha256, sent: 0, total: file.size });
      await postFile(
        { url: storageUrl(config, created.upload.url), fields: created.upload.fields },
        file,
        (sent, total) => setStep({ kind: 'uploading', sha256, sent, total }),
      );
      navigate(`#/documents/${encodeURIComponent(created.id)}`);
    } catch (error) {
      setStep({ kind: 'editing' });
      if (error instanceof ApiError && error.details.length > 0) {
        setErrors(
          error.details.map((d) => t('fieldInvalid', { field: d.field, message: d.message })),
        );
      } else {
        setErrors([t('errorGeneric', { message: error instanceof Error ? error.message : '' })]);
      }
    }
  }

  return (
    <section aria-labelledby="upload-title">
      <h2 id="upload-title">{t('uploadTitle')}</h2>
      <form onSubmit={submit} noValidate>
        {errors.length > 0 ? (
          <div role="alert" class="errors">
            <ul>
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <label for="upload-file">{t('file')}</label>
        <input
          id="upload-file"
          type="file"
          name="file"
          accept="application/pdf,.pdf"
          aria-describedby="file-hint"
          required
          onChange={(e) => setFile(e.currentTarget.files?.[0])}
        />
        <small id="file-hint">{t('fileHint')}</small>
        <div class="grid">
          <label>
            {t('number')}
            <input
              type="number"
              min={1}
              inputMode="numeric"
              required
              value={number}
              onInput={(e) => setNumber(e.currentTarget.value)}
            />
          </label>
          <div>
            <label for="upload-notation">{t('notation')}</label>
            <input
              id="upload-notation"
              required
              value={notation}
              aria-describedby="notation-hint"
              onInput={(e) => setNotation(e.currentTarget.value)}
            />
            <small id="notation-hint">{t('notationHint')}</small>
          </div>
          <label>
            {t('promulgationDate')}
            <input
              type="date"
              required
              value={promulgationDate}
              onInput={(e) => setPromulgationDate(e.currentTarget.value)}
            />
          </label>
        </div>
        <div>
          <label for="upload-type">{t('documentType')}</label>
          <select
            id="upload-type"
            required
            value={typeCode}
            onChange={(e) => setTypeCode(e.currentTarget.value)}
          >
            <option value="">{t('chooseType')}</option>
            {documentTypes.map((type) => (
              <option key={type.code} value={type.code}>
                {type.name} (
                {t(
                  type.issuanceForm === 'electronic-only' ? 'electronicOnly' : 'electronicAndPaper',
                )}
                )
              </option>
            ))}
          </select>
        </div>
        <label>
          {t('subject')}
          <textarea
            required
            rows={2}
            value={subject}
            onInput={(e) => setSubject(e.currentTarget.value)}
          />
        </label>
        <div class="grid">
          <label>
            {t('signerName')}
            <input
              required
              value={signerName}
              onInput={(e) => setSignerName(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('signerPosition')}
            <input
              required
              value={signerPosition}
              onInput={(e) => setSignerPosition(e.currentTarget.value)}
            />
          </label>
          <div>
            <label for="upload-urgency">{t('urgency')}</label>
            <select
              id="upload-urgency"
              value={urgency}
              onChange={(e) => setUrgency(urgencyOf(e.currentTarget.value))}
            >
              {URGENCIES.map((u) => (
                <option key={u} value={u}>
                  {t(`urgency_${u}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="upload-secrecy">{t('secrecy')}</label>
            <select
              id="upload-secrecy"
              value={secrecy}
              aria-describedby="secrecy-explain"
              aria-invalid={secret ? 'true' : undefined}
              onChange={(e) => {
                const level = secrecyOf(e.currentTarget.value);
                setSecrecy(level);
                if (level === 'none') setErrors([]);
              }}
            >
              {SECRECY_LEVELS.map((s) => (
                <option key={s} value={s}>
                  {t(`secrecy_${s}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        {secret ? (
          <div id="secrecy-explain" role="alert" class="notice warning" data-testid="secret-notice">
            <p>{t('secrecyExplain')}</p>
            <p>{t('sendDisabledSecret')}</p>
          </div>
        ) : (
          <p id="secrecy-explain" class="notice">
            <small>{t('secrecyHint')}</small>
          </p>
        )}
        <RecipientPicker
          agencies={agencies}
          exclude={session.agency}
          value={recipients}
          onChange={setRecipients}
        />
        {step.kind === 'uploading' ? (
          <label>
            {t('uploadProgress')}
            <progress value={step.sent} max={step.total || 1} />
          </label>
        ) : null}
        {step.kind === 'announcing' || step.kind === 'uploading' ? (
          <p>
            <small class="checksum">{t('checksum', { sha256: step.sha256 })}</small>
          </p>
        ) : null}
        <p aria-live="polite">
          {step.kind === 'hashing'
            ? t('stepHashing')
            : step.kind === 'announcing'
              ? t('stepAnnouncing')
              : step.kind === 'uploading'
                ? `${t('stepUploading')} ${Math.round((100 * step.sent) / (step.total || 1))}%`
                : ''}
        </p>
        <button
          type="submit"
          disabled={busy || secret}
          aria-describedby={secret ? 'secrecy-explain' : undefined}
          aria-busy={busy ? 'true' : undefined}
        >
          {t('send')}
        </button>
      </form>
    </section>
  );
}
