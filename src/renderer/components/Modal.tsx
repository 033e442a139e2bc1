/** A modal panel: Escape or the backdrop closes it, focus starts on its first field (or the one marked data-autofocus). */
import { useEffect, useRef, type ReactElement, type ReactNode } from 'react';
import { Icon } from './icons.js';

/** Open modals, innermost last: Escape closes only the innermost (a path prompt over the import dialog). */
const openModals: object[] = [];

export function Modal(props: {
  title: string;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  /** more classes for the panel (its size) */
  className?: string;
}): ReactElement {
  const panel = useRef<HTMLDivElement>(null);
  const { onClose } = props;
  useEffect(() => {
    const first =
      panel.current?.querySelector<HTMLElement>('[data-autofocus]') ??
      panel.current?.querySelector<HTMLElement>('input, select, textarea, button.primary');
    first?.focus();
  }, []);
  useEffect(() => {
    const self = {};
    openModals.push(self);
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || openModals[openModals.length - 1] !== self) return;
      e.stopPropagation();
      onClose();
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      openModals.splice(openModals.indexOf(self), 1);
      window.removeEventListener('keydown', onKey, true);
    };
  }, [onClose]);
  return (
    <div className="modal-backdrop" onPointerDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={`modal${props.wide ? ' wide' : ''}${props.className ? ` ${props.className}` : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        ref={panel}
      >
        <header className="modal-header">
          <span>{props.title}</span>
          <button type="button" className="ghost icon-button" aria-label="Close" onClick={onClose}>
            <Icon name="close" size={14} />
          </button>
        </header>
        <div className="modal-body">{props.children}</div>
        {props.footer && <footer className="modal-footer">{props.footer}</footer>}
      </div>
    </div>
  );
}
