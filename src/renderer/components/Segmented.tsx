/** A row of mutually exclusive options (a radio group that looks like joined buttons). */
import type { ReactElement } from 'react';

export interface SegmentOption<T extends string> {
  value: T;
  label: string;
  /** an accessible name other than the label, where the label alone is ambiguous */
  ariaLabel?: string;
  title?: string;
}

export function Segmented<T extends string>(props: {
  label: string;
  value: T;
  options: readonly SegmentOption<T>[];
  onChange(value: T): void;
  small?: boolean;
}): ReactElement {
  return (
    <div className={`segmented${props.small ? ' small' : ''}`} role="radiogroup" aria-label={props.label}>
      {props.options.map((option) => (
        <button
          key={option.value}
          type="button"
          role="radio"
          aria-checked={option.value === props.value}
          aria-label={option.ariaLabel}
          className={option.value === props.value ? 'active' : ''}
          title={option.title}
          onClick={() => props.onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
