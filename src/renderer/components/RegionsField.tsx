/**
 * Where on the face the change applies (issue #22): each region's amount (0 keeps the
 * plate's own pixels there, 1 takes all of the change) and the mask's feather and grow.
 */
import type { ReactElement } from 'react';
import {
  FEATHER_LIMITS,
  GROW_LIMITS,
  REGION_LABELS,
  REGION_NAMES,
  resolveRegions,
  type Regions,
} from '../../shared/regions.js';

function Slider(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  format: (v: number) => string;
  onChange: (v: number) => void;
}): ReactElement {
  return (
    <label className="region-row">
      <span className="region-name">{props.label}</span>
      <input
        type="range"
        aria-label={props.label}
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
      <span className="mono region-value">{props.format(props.value)}</span>
    </label>
  );
}

const percent = (v: number) => `${Math.round(v * 100)}%`;

export function RegionsField(props: {
  value: Regions | undefined;
  onChange: (value: Regions, coalesceKey: string) => void;
}): ReactElement {
  const r = resolveRegions(props.value);
  const set = (patch: Regions, key: string) => props.onChange({ ...props.value, ...patch }, `regions.${key}`);
  return (
    <div className="regions" data-testid="regions">
      {REGION_NAMES.map((name) => (
        <Slider
          key={name}
          label={REGION_LABELS[name]}
          value={r[name]}
          min={0}
          max={1}
          step={0.05}
          format={(v) => (v === 0 ? 'off' : percent(v))}
          onChange={(v) => set({ [name]: v }, name)}
        />
      ))}
      <Slider
        label="Feather"
        value={r.feather}
        min={FEATHER_LIMITS.min}
        max={FEATHER_LIMITS.max}
        step={0.1}
        format={(v) => `×${v.toFixed(1)}`}
        onChange={(feather) => set({ feather }, 'feather')}
      />
      <Slider
        label="Grow / shrink"
        value={r.grow}
        min={GROW_LIMITS.min}
        max={GROW_LIMITS.max}
        step={0.01}
        format={(v) => `${v > 0 ? '+' : ''}${percent(v)}`}
        onChange={(grow) => set({ grow }, 'grow')}
      />
    </div>
  );
}
