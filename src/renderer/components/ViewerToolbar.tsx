/**
 * Above the viewer: what to compare (and how: wipe direction, difference gain),
 * zoom, the display look (exposure, channels), overlays and the preview button.
 * Tooltips take their keys from the one shortcut table.
 */
import type { ReactElement } from 'react';
import { keysFor } from '../lib/shortcuts.js';
import {
  DIFFERENCE_GAINS,
  EXPOSURE_STEP,
  type ChannelView,
  type CompareMode,
  type WipeAxis,
} from '../state/playback-slice.js';
import type { PreviewEntry } from '../state/preview-slice.js';
import { useStudio } from '../state/store.js';
import { Icon } from './icons.js';
import { LossPlot } from './LossPlot.js';
import { Segmented } from './Segmented.js';
import { exposureLabel } from './ViewerLabels.js';

const compare = (value: CompareMode, label: string, title: string) => ({
  value,
  label,
  title: `${title} (${keysFor({ compare: value })})`,
});

const COMPARE_OPTIONS = [
  compare('before', 'A', 'A: the plate'),
  compare('after', 'B', 'B: the re-aged preview'),
  compare('wipe', 'Wipe', 'A | B wipe'),
  compare('difference', 'Diff', 'Difference: |B−A|, amplified'),
  compare('side', 'Side', 'A and B side by side'),
  compare('matte', 'Matte', 'The matte the change is composited under (regions, feather)'),
];

const AXIS_OPTIONS: { value: WipeAxis; label: string; title: string }[] = [
  { value: 'vertical', label: '│', title: `Vertical wipe: A left, B right (${keysFor({ wipeAxis: 'toggle' })})` },
  { value: 'horizontal', label: '─', title: `Horizontal wipe: A above, B below (${keysFor({ wipeAxis: 'toggle' })})` },
];

const channel = (value: ChannelView, label: string, name: string, title: string) => ({
  value,
  label,
  // a name of its own: "B" is the compare mode's
  ariaLabel: name,
  title: `${title}: display only (${keysFor({ channel: 'next' })} cycles)`,
});

const CHANNEL_OPTIONS = [
  channel('rgb', 'RGB', 'RGB channels', 'All channels'),
  channel('r', 'R', 'Red channel', 'Red channel, as grey'),
  channel('g', 'G', 'Green channel', 'Green channel, as grey'),
  channel('b', 'B', 'Blue channel', 'Blue channel, as grey'),
  channel('luma', 'Y', 'Luma', 'Luma (Rec. 709), as grey'),
];

function DifferenceGain(): ReactElement {
  const gain = useStudio((s) => s.viewer.gain);
  const setViewer = useStudio((s) => s.setViewer);
  const i = DIFFERENCE_GAINS.indexOf(gain as (typeof DIFFERENCE_GAINS)[number]);
  const step = (d: number) =>
    setViewer({ gain: DIFFERENCE_GAINS[Math.max(0, Math.min(DIFFERENCE_GAINS.length - 1, i + d))]! });
  return (
    <span className="stepper" role="group" aria-label="Difference gain">
      <button
        type="button"
        className="ghost small"
        aria-label="Less gain"
        title={`Less gain (${keysFor({ gain: -1 })})`}
        onClick={() => step(-1)}
      >
        −
      </button>
      <span className="stepper-value mono" data-testid="difference-gain">
        ×{gain}
      </span>
      <button
        type="button"
        className="ghost small"
        aria-label="More gain"
        title={`More gain (${keysFor({ gain: 1 })})`}
        onClick={() => step(1)}
      >
        +
      </button>
    </span>
  );
}

function Exposure(): ReactElement {
  const exposure = useStudio((s) => s.viewer.exposure);
  const setViewer = useStudio((s) => s.setViewer);
  return (
    <span className="stepper" role="group" aria-label="Exposure">
      <button
        type="button"
        className="ghost small"
        aria-label="Exposure down"
        title={`Exposure −½ stop, display only (${keysFor({ exposure: -1 })})`}
        onClick={() => setViewer({ exposure: exposure - EXPOSURE_STEP })}
      >
        −
      </button>
      <button
        type="button"
        className={`ghost small stepper-value mono${exposure !== 0 ? ' changed' : ''}`}
        aria-label="Reset exposure"
        title={`Display exposure in stops; click to reset (${keysFor({ exposure: 0 })})`}
        data-testid="exposure"
        onClick={() => setViewer({ exposure: 0 })}
      >
        {exposureLabel(exposure)} EV
      </button>
      <button
        type="button"
        className="ghost small"
        aria-label="Exposure up"
        title={`Exposure +½ stop, display only (${keysFor({ exposure: 1 })})`}
        onClick={() => setViewer({ exposure: exposure + EXPOSURE_STEP })}
      >
        +
      </button>
    </span>
  );
}

/** `zoom`: the zoom in effect (fit resolved to a number), null before the frame is measured. */
export function ViewerToolbar({ entry, zoom }: { entry: PreviewEntry | undefined; zoom: number | null }): ReactElement {
  const viewer = useStudio((s) => s.viewer);
  const setViewer = useStudio((s) => s.setViewer);
  const renderPreview = useStudio((s) => s.renderPreview);
  const autoPreview = useStudio((s) => s.autoPreview);
  const setAutoPreview = useStudio((s) => s.setAutoPreview);
  const showShortcuts = useStudio((s) => s.showShortcuts);
  const shortcutsOpen = useStudio((s) => s.shortcutsOpen);
  const zoomLabel = zoom === null ? '–' : `${Math.round(zoom * 100)}%`;
  const rendering = entry?.status === 'rendering';
  return (
    <div className="toolbar viewer-toolbar" role="toolbar" aria-label="Viewer">
      <Segmented
        label="Compare"
        small
        value={viewer.compare}
        options={COMPARE_OPTIONS}
        onChange={(compare) => setViewer({ compare })}
      />
      {viewer.compare === 'wipe' && (
        <Segmented
          label="Wipe direction"
          small
          value={viewer.wipeAxis}
          options={AXIS_OPTIONS}
          onChange={(wipeAxis) => setViewer({ wipeAxis })}
        />
      )}
      {viewer.compare === 'difference' && <DifferenceGain />}
      <span className="toolbar-sep" />
      <button
        type="button"
        className="ghost"
        title={`Fit to viewer (${keysFor({ zoom: 'fit' })})`}
        onClick={() => setViewer({ zoom: null, pan: { x: 0, y: 0 } })}
      >
        <Icon name="fit" /> Fit
      </button>
      <button
        type="button"
        className="ghost"
        title={`Actual pixels (${keysFor({ zoom: 1 })})`}
        onClick={() => setViewer({ zoom: 1, pan: { x: 0, y: 0 } })}
      >
        1:1
      </button>
      <span className="zoom-readout" aria-label="Zoom" data-testid="zoom">
        {zoomLabel}
      </span>
      <span className="toolbar-sep" />
      <Exposure />
      <Segmented
        label="Channels"
        small
        value={viewer.channel}
        options={CHANNEL_OPTIONS}
        onChange={(channel) => setViewer({ channel })}
      />
      <span className="toolbar-sep" />
      <label className="toggle" title="Face box and landmarks from the preview">
        <input type="checkbox" checked={viewer.showFace} onChange={(e) => setViewer({ showFace: e.target.checked })} />
        Face
      </label>
      <label
        className="toggle"
        title="The matte the change is composited under, tinted over the picture, and its outline"
      >
        <input type="checkbox" checked={viewer.showMask} onChange={(e) => setViewer({ showMask: e.target.checked })} />
        Mask
      </label>
      <span className="toolbar-spacer" />
      {entry?.status === 'ready' && <LossPlot losses={entry.losses} />}
      {entry?.status === 'ready' && (
        <span className="readout" title="Time the preview took to render" data-testid="render-time">
          {entry.seconds.toFixed(1)} s
        </span>
      )}
      <label className="toggle" title="Render the frame under the playhead whenever it or the settings change">
        <input type="checkbox" checked={autoPreview} onChange={(e) => setAutoPreview(e.target.checked)} />
        Auto
      </label>
      <button
        type="button"
        className={entry?.status === 'ready' ? '' : 'primary'}
        data-testid="render-preview"
        disabled={rendering || entry?.status === 'ready'}
        title={`Render the frame under the playhead (${keysFor({ command: 'renderPreview' })})`}
        onClick={() => void renderPreview()}
      >
        <Icon name={entry?.status === 'ready' ? 'check' : 'render'} size={14} />
        {rendering ? 'Rendering…' : entry?.status === 'ready' ? 'Preview up to date' : 'Render Preview'}
      </button>
      <button
        type="button"
        className="ghost icon-button"
        aria-label="Keyboard shortcuts"
        aria-pressed={shortcutsOpen}
        title={`Keyboard shortcuts (${keysFor({ shortcuts: 'toggle' })})`}
        onClick={() => showShortcuts(!shortcutsOpen)}
      >
        ?
      </button>
    </div>
  );
}
