/**
 * The viewer's words: the tags that say what each part of the picture is (A, B,
 * |B−A|), the pixel readout under the cursor, and the display look in effect.
 * A tag names only what is on screen, so B alone is never labelled as the plate.
 */
import type { ReactElement, ReactNode } from 'react';
import type { ShotSettings } from '../../shared/project.js';
import type { ChannelView } from '../state/playback-slice.js';

/** What the viewer is showing, after falling back to A while there is no B. */
export type Showing = 'a' | 'b' | 'wipe-vertical' | 'wipe-horizontal' | 'difference' | 'side' | 'matte';

/** B's settings as its tag writes them: "60+ · pixel-wise + detail · strength 0.8 · soft". */
export function settingsLabel(settings: ShotSettings): string {
  return [
    settings.targetAge,
    `${settings.mode === 'pixel' ? 'pixel-wise' : 'identity'}${settings.detail ? ' + detail' : ''}`,
    settings.strength !== 1 ? `strength ${settings.strength}` : '',
    settings.texture !== 1 ? `texture ${settings.texture}` : '',
    settings.composite,
  ]
    .filter(Boolean)
    .join(' · ');
}

export const A_LABEL = 'A · plate';
export const differenceLabel = (gain: number): string => `|B−A| × ${gain}`;

export function TagA(props: { place?: string }): ReactElement {
  return (
    <div className={`viewer-tag a ${props.place ?? ''}`} data-testid="tag-a">
      {A_LABEL}
    </div>
  );
}

/** B's tag; `stage` names the picture of a preview still refining. */
export function TagB(props: { settings: ShotSettings; stage?: ReactNode; place?: string }): ReactElement {
  return (
    <div className={`viewer-tag b ${props.place ?? ''}`} data-testid="tag-b">
      B · {settingsLabel(props.settings)}
      {props.stage}
    </div>
  );
}

export function TagMatte(): ReactElement {
  return (
    <div
      className="viewer-tag matte"
      data-testid="tag-matte"
      title="White: all of the change; black: the plate's own pixels"
    >
      Matte · where B's change applies
    </div>
  );
}

export function TagDifference(props: { gain: number; settings: ShotSettings; ready: boolean }): ReactElement {
  return (
    <div
      className="viewer-tag diff"
      data-testid="tag-diff"
      title={`|B − A| per channel, times ${props.gain}; B: ${settingsLabel(props.settings)}`}
    >
      {differenceLabel(props.gain)}
      {!props.ready && <span className="stage-label"> · decoding…</span>}
    </div>
  );
}

const CHANNEL_NAMES: Record<ChannelView, string> = {
  rgb: 'RGB',
  r: 'red',
  g: 'green',
  b: 'blue',
  luma: 'luma',
};

export const exposureLabel = (stops: number): string =>
  `${stops > 0 ? '+' : stops < 0 ? '−' : '±'}${Math.abs(stops).toFixed(1)}`;

/** The display look, said while it is not the plain picture: it never reaches exported frames. */
export function LookBadge(props: { exposure: number; channel: ChannelView }): ReactElement | null {
  if (props.exposure === 0 && props.channel === 'rgb') return null;
  const parts = [
    props.exposure !== 0 ? `${exposureLabel(props.exposure)} stops` : '',
    props.channel !== 'rgb' ? `${CHANNEL_NAMES[props.channel]} channel` : '',
  ].filter(Boolean);
  return (
    <div className="viewer-look" data-testid="viewer-look">
      Display only: {parts.join(' · ')}
    </div>
  );
}

export type RGB = readonly [number, number, number];

const rgb = (v: RGB | null) => (v ? v.map((c) => String(c).padStart(3, '\u2007')).join(' ') : '–');

/** Frame coordinates under the cursor and the values (0–255) of A and B there. */
export function PixelReadout(props: {
  at: { x: number; y: number } | null;
  a: RGB | null;
  b: RGB | null;
  hasB: boolean;
}): ReactElement | null {
  if (!props.at) return null;
  return (
    <div className="pixel-readout mono" data-testid="pixel-readout">
      <span>
        x {props.at.x} y {props.at.y}
      </span>
      <span className="readout-a" data-testid="readout-a">
        A {rgb(props.a)}
      </span>
      {props.hasB && (
        <span className="readout-b" data-testid="readout-b">
          B {rgb(props.b)}
        </span>
      )}
    </div>
  );
}
