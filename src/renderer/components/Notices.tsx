/** Transient messages (imports, saves, media problems), newest last; information fades by itself. */
import { useEffect, type ReactElement } from 'react';
import type { Notice } from '../state/ui-slice.js';
import { useStudio } from '../state/store.js';
import { Icon } from './icons.js';

const FADE_MS = 6000;

function NoticeItem({ notice }: { notice: Notice }): ReactElement {
  const dismiss = useStudio((s) => s.dismissNotice);
  useEffect(() => {
    if (notice.level !== 'info') return;
    const timer = setTimeout(() => dismiss(notice.id), FADE_MS);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  return (
    <div className={`notice ${notice.level}`} role={notice.level === 'error' ? 'alert' : 'status'}>
      <span className="notice-text">{notice.text}</span>
      {notice.action && (
        <button
          type="button"
          className="small"
          onClick={() => {
            notice.action!.run();
            dismiss(notice.id);
          }}
        >
          {notice.action.label}
        </button>
      )}
      <button type="button" className="ghost icon-button" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>
        <Icon name="close" size={12} />
      </button>
    </div>
  );
}

export function Notices(): ReactElement {
  const notices = useStudio((s) => s.notices);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <NoticeItem key={n.id} notice={n} />
      ))}
    </div>
  );
}
