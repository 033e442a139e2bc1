/** Above the viewer: compare mode, zoom, overlays and the preview button. */
import type { ReactElement } from 'react';
import type { PreviewEntry } from '../state/preview-slice.js';
import type { CompareMode } from '../state/playback-slice.js';
import { useStudio } from '../state/store.js';
import { Icon } from './icons.js';
import { Segmented } from './Segmented.js';

const COMPARE_OPTIONS = [
  { value: 'before', label: 'A', title: 'Before: the plate (A)' },
  { value: 'wipe', label: 'Wipe', title: 'Before | after wipe (W)' },
  { value: 'after', label: 'B', title: 'After: the re-aged preview (B)' },
] as const satisfies readonly { value: CompareMode; label: string; title: string }[];

/** `zoom`: the zoom in effect (fit resolved to a number), null before the frame is measured. */
export function ViewerToolbar({ entry, zoom }: { entry: PreviewEntry | undefined; zoom: number | null }): ReactElement {
  const viewer = useStudio((s) => s.viewer);
  const setViewer = useStudio((s) => s.setViewer);
  const renderPreview = useStudio((s) => s.renderPreview);
  const autoPreview = useStudio((s) => s.autoPreview);
  const setAutoPreview = useStudio((s) => s.setAutoPreview);
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
      <span className="toolbar-sep" />
      <button
        type="button"
        className="ghost"
        title="Fit to viewer (F)"
        onClick={() => setViewer({ zoom: null, pan: { x: 0, y: 0 } })}
      >
        <Icon name="fit" /> Fit
      </button>
      <button
        type="button"
        className="ghost"
        title="Actual pixels (1)"
        onClick={() => setViewer({ zoom: 1, pan: { x: 0, y: 0 } })}
      >
        1:1
      </button>
      <span className="zoom-readout" aria-label="Zoom">
        {zoomLabel}
      </span>
      <span className="toolbar-sep" />
      <label className="toggle" title="Face box and landmarks from the preview">
        <input type="checkbox" checked={viewer.showFace} onChange={(e) => setViewer({ showFace: e.target.checked })} />
        Face
      </label>
      <label className="toggle" title="Composite mask outline from the preview">
        <input type="checkbox" checked={viewer.showMask} onChange={(e) => setViewer({ showMask: e.target.checked })} />
        Mask
      </label>
      <span className="toolbar-spacer" />
      {entry?.status === 'ready' && <span className="readout">rendered in {entry.seconds.toFixed(1)} s</span>}
      <label className="toggle" title="Render the frame under the playhead whenever it or the settings change">
        <input type="checkbox" checked={autoPreview} onChange={(e) => setAutoPreview(e.target.checked)} />
        Auto
      </label>
      <button
        type="button"
        className={entry?.status === 'ready' ? '' : 'primary'}
        data-testid="render-preview"
        disabled={rendering || entry?.status === 'ready'}
        title="Render the frame under the playhead (R)"
        onClick={() => void renderPreview()}
      >
        <Icon name={entry?.status === 'ready' ? 'check' : 'render'} size={14} />
        {rendering ? 'Rendering…' : entry?.status === 'ready' ? 'Preview up to date' : 'Render Preview'}
      </button>
    </div>
  );
}
