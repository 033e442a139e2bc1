/**
 * The target-age slider: six stops, one per Age-cGAN category (0-18 … 60+).
 * Drag or click the track, click a label, or use the arrow keys.
 */
import { useRef, type KeyboardEvent, type PointerEvent, type ReactElement } from 'react';
import { AGE_CATEGORIES, type AgeCategory } from '../../shared/ages.js';

const LAST = AGE_CATEGORIES.length - 1;

export function AgeSlider(props: {
  value: AgeCategory;
  onChange(age: AgeCategory): void;
  label?: string;
}): ReactElement {
  const track = useRef<HTMLDivElement>(null);
  const index = AGE_CATEGORIES.indexOf(props.value);
  const setIndex = (i: number) => {
    const clamped = Math.max(0, Math.min(LAST, i));
    if (clamped !== index) props.onChange(AGE_CATEGORIES[clamped]!);
  };
  const fromPointer = (e: PointerEvent) => {
    const rect = track.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return;
    setIndex(Math.round(((e.clientX - rect.left) / rect.width) * LAST));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const step: Record<string, number> = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };
    if (e.key in step) setIndex(index + step[e.key]!);
    else if (e.key === 'Home') setIndex(0);
    else if (e.key === 'End') setIndex(LAST);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  const percent = (i: number) => `${(i / LAST) * 100}%`;
  return (
    <div className="age-slider">
      <div
        className="age-slider-track"
        ref={track}
        role="slider"
        tabIndex={0}
        aria-label={props.label ?? 'Target age'}
        aria-valuemin={0}
        aria-valuemax={LAST}
        aria-valuenow={index}
        aria-valuetext={props.value}
        data-age={props.value}
        onKeyDown={onKeyDown}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture?.(e.pointerId);
          fromPointer(e);
        }}
        onPointerMove={(e) => {
          if (e.buttons === 1) fromPointer(e);
        }}
      >
        <div className="age-rail" />
        <div className="age-fill" style={{ width: percent(index) }} />
        {AGE_CATEGORIES.map((age, i) => (
          <span key={age} className={`age-stop${i <= index ? ' on' : ''}`} style={{ left: percent(i) }} />
        ))}
        <span className="age-thumb" style={{ left: percent(index) }} data-age={props.value} />
      </div>
      <div className="age-labels">
        {AGE_CATEGORIES.map((age, i) => (
          <button
            key={age}
            type="button"
            className={age === props.value ? 'active' : ''}
            style={{ left: percent(i) }}
            aria-label={`Target age ${age}`}
            tabIndex={-1}
            onClick={() => props.onChange(age)}
          >
            {age}
          </button>
        ))}
      </div>
    </div>
  );
}
