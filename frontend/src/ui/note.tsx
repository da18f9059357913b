import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { Dialog, val } from './kit';

/** NoteDialog asks a reviewer what should change (request changes needs a note). */
export function NoteDialog({ onCancel, onSend, error }: { onCancel: () => void; onSend: (note: string) => void; error?: string }) {
  const [note, setNote] = useState('');
  return (
    <Dialog title={t('action.request_changes')} onClose={onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (note.trim()) onSend(note.trim());
        }}
      >
        <div class={'field' + (error ? ' has-error' : '')}>
          <label for="note">{t('review.noteLabel')}</label>
          <textarea id="note" rows={4} value={note} onInput={(e) => setNote(val(e))} autofocus data-testid="note" />
          {error && <div class="field-error">{error}</div>}
        </div>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" disabled={!note.trim()} data-testid="send-note">
            {t('review.sendNote')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

