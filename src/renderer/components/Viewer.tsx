/**
 * The viewer: the frame under the playhead, before (A: the plate) and after
 * (B: the engine's preview) side by side under a draggable wipe, or either alone.
 * Wheel zooms about the cursor, dragging the picture pans it; the face box and
 * mask outline from the preview can be laid over it. While a preview renders, B
 * shows its latest picture so far (the encoder's, then refining ones), labelled,
 * until the final one replaces it.
 */
import { useMemo, useRef, useState, type PointerEvent, type ReactElement, type WheelEvent } from 'react';
import { baseName, clipFramePath } from '../../shared/project.js';
import { previewKey } from '../lib/preview-key.js';
import type { PreviewEntry, PreviewStagePicture } from '../state/preview-slice.js';
import { useStudio } from '../state/store.js';
import { useElapsed, useElementSize, useFrameImage } from './hooks.js';
import { ViewerToolbar } from './ViewerToolbar.js';

const MIN_ZOOM = 0.05;
const MAX_ZOOM = 32;

interface Geometry {
  /** screen pixels per frame pixel */
  zoom: number;
  left: number;
  top: number;
}

function useGeometry(frame: { width: number; height: number }, box: { width: number; height: number }): Geometry {
  const viewer = useStudio((s) => s.viewer);
  const fit =
    frame.width > 0 && box.width > 0 ? Math.min(box.width / frame.width, box.height / frame.height) * 0.94 : 1;
  const zoom = viewer.zoom ?? fit;
  return {
    zoom,
    left: box.width / 2 + viewer.pan.x - (frame.width * zoom) / 2,
    top: box.height / 2 + viewer.pan.y - (frame.height * zoom) / 2,
  };
}

type ReadyEntry = Extract<PreviewEntry, { status: 'ready' }>;

/** What B shows: the final picture, or the latest stage of one still rendering. */
type Picture = ReadyEntry | PreviewStagePicture;

/** The label of the picture B shows (of `frame`): which stage of the preview it is. */
function stageLabel(picture: Picture, frame: number): string {
  if ('status' in picture) {
    if (picture.warmStartFrame === undefined) return 'final';
    // the frame's own latent, solved before at other settings (another target age, strength)
    if (picture.warmStartFrame === frame) return 'final · solved before';
    return `final · warm from ${picture.warmStartFrame}`;
  }
  if (picture.stage === 'encoder') return 'encoder';
  if (picture.stage === 'warm') return `from frame ${picture.warmStartFrame ?? '?'}`;
  return `refining ${picture.updates}/${picture.steps}`;
}

function Overlay(props: { entry: Picture; face: boolean; mask: boolean }) {
  const { entry } = props;
  const box = entry.face?.box;
  const outline = entry.maskOutline?.map((p) => `${p.x},${p.y}`).join(' ');
  return (
    <svg className="viewer-overlay" viewBox={`0 0 ${entry.width} ${entry.height}`} aria-hidden="true">
      {props.face && box && (
        <rect
          className="face-box"
          x={box.x}
          y={box.y}
          width={box.width}
          height={box.height}
          vectorEffect="non-scaling-stroke"
        />
      )}
      {props.face &&
        entry.face?.landmarks.map((p, i) => <circle key={i} className="landmark" cx={p.x} cy={p.y} r={0.9} />)}
      {props.mask && outline && <polygon className="mask-outline" points={outline} vectorEffect="non-scaling-stroke" />}
    </svg>
  );
}

function StatusCard({ entry }: { entry: PreviewEntry | undefined }) {
  const rendering = entry?.status === 'rendering';
  const elapsed = useElapsed(rendering ? entry.startedAt : null, rendering);
  if (!entry) return null;
  if (entry.status === 'rendering') {
    return (
      <div className="viewer-status" role="status" data-testid="preview-progress">
        <span className="spinner" />
        {entry.stage ? 'Refining preview' : 'Rendering preview'}… {elapsed.toFixed(1)} s
      </div>
    );
  }
  if (entry.status === 'error') {
    return (
      <div className="viewer-status error" role="alert" data-testid="preview-error">
        <div className="viewer-status-title">
          Preview of frame {entry.frame} failed{' '}
          <span className="mono" title={entry.file}>
            {baseName(entry.file)}
          </span>
        </div>
        <div className="viewer-status-detail">{entry.message}</div>
      </div>
    );
  }
  if (!entry.face) {
    // the engine passes frames without a face through unchanged: say so, or B looks like a failed render
    return (
      <div className="viewer-status warning" role="status" data-testid="preview-no-face">
        No face found on this frame: it is exported unchanged
      </div>
    );
  }
  return null;
}

export function Viewer(): ReactElement {
  const clips = useStudio((s) => s.project.timeline.clips);
  const playhead = useStudio((s) => s.playhead);
  const previews = useStudio((s) => s.previews);
  const viewer = useStudio((s) => s.viewer);
  const setViewer = useStudio((s) => s.setViewer);
  const startImport = useStudio((s) => s.startImport);

  const clip = playhead ? clips.find((c) => c.id === playhead.clipId) : undefined;
  const platePath = clip && playhead ? clipFramePath(clip, playhead.frame) : null;
  const key = clip && playhead && platePath ? previewKey(platePath, playhead.frame, clip.settings) : null;
  const entry = key ? previews[key] : undefined;
  const ready = entry?.status === 'ready' ? entry : undefined;
  const picture: Picture | undefined = ready ?? (entry?.status === 'rendering' ? entry.stage : undefined);
  const { image: plate, error: plateError } = useFrameImage(platePath);

  const { ref: areaRef, element: area, size: box } = useElementSize<HTMLDivElement>();
  const [natural, setNatural] = useState({ width: 0, height: 0 });
  const frame = picture ? { width: picture.width, height: picture.height } : natural;
  const geometry = useGeometry(frame, box);

  // a plate the browser cannot decode (a corrupt file) gets a slate naming it, not a broken-image icon
  const [undecodable, setUndecodable] = useState<string | null>(null);
  const candidate = picture?.beforeUrl ?? (plate?.displayable ? plate.url : undefined);
  const beforeUrl = candidate !== undefined && candidate !== undecodable ? candidate : undefined;
  const afterUrl = picture?.afterUrl;
  const showBefore = viewer.compare !== 'after' || !afterUrl;
  const showAfter = !!afterUrl && viewer.compare !== 'before';

  const drag = useRef<{ kind: 'pan' | 'wipe'; x: number; y: number; pan: { x: number; y: number } } | null>(null);

  const wipeFromX = (clientX: number) => {
    const rect = area?.getBoundingClientRect();
    if (!rect || frame.width === 0) return;
    setViewer({ wipe: (clientX - rect.left - geometry.left) / (frame.width * geometry.zoom) });
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 && e.button !== 1) return;
    const onHandle = (e.target as HTMLElement).closest('.wipe-handle');
    drag.current = { kind: onHandle ? 'wipe' : 'pan', x: e.clientX, y: e.clientY, pan: viewer.pan };
    e.currentTarget.setPointerCapture?.(e.pointerId);
    if (onHandle) wipeFromX(e.clientX);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    if (d.kind === 'wipe') wipeFromX(e.clientX);
    else setViewer({ pan: { x: d.pan.x + e.clientX - d.x, y: d.pan.y + e.clientY - d.y } });
  };
  const onPointerUp = () => {
    drag.current = null;
  };
  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    const rect = area?.getBoundingClientRect();
    if (!rect || frame.width === 0) return;
    const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, geometry.zoom * Math.exp(-e.deltaY * 0.0015)));
    // keep the frame pixel under the cursor where it is
    const cx = e.clientX - rect.left;
    const cy = e.clientY - rect.top;
    const u = (cx - geometry.left) / geometry.zoom;
    const v = (cy - geometry.top) / geometry.zoom;
    const left = cx - u * zoom;
    const top = cy - v * zoom;
    setViewer({
      zoom,
      pan: { x: left - box.width / 2 + (frame.width * zoom) / 2, y: top - box.height / 2 + (frame.height * zoom) / 2 },
    });
  };

  const stageStyle = useMemo(
    () => ({
      width: frame.width || undefined,
      height: frame.height || undefined,
      transform: `translate(${geometry.left}px, ${geometry.top}px) scale(${geometry.zoom})`,
    }),
    [frame.width, frame.height, geometry.left, geometry.top, geometry.zoom],
  );

  if (!clip || !playhead) {
    return (
      <section className="viewer empty" aria-label="Viewer">
        <div className="empty-state">
          <div className="empty-title">Drop a frame sequence or a folder here</div>
          <div className="empty-hint">
            Sequences are recognised from their names (name.1001.png …); gaps are reported.
          </div>
          <button type="button" className="primary" onClick={() => void startImport()}>
            Import Frames…
          </button>
        </div>
      </section>
    );
  }

  const wipeX = geometry.left + viewer.wipe * frame.width * geometry.zoom;
  return (
    <section className="viewer" aria-label="Viewer">
      <ViewerToolbar entry={entry} zoom={frame.width > 0 && box.width > 0 ? geometry.zoom : null} />
      <div
        className="viewer-area"
        ref={areaRef}
        data-testid="viewer"
        data-compare={viewer.compare}
        data-wipe={viewer.wipe.toFixed(3)}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onWheel={onWheel}
        onDoubleClick={() => setViewer({ zoom: null, pan: { x: 0, y: 0 } })}
      >
        <div className="viewer-stage" style={stageStyle}>
          {showBefore && beforeUrl && (
            <img
              className="layer before"
              src={beforeUrl}
              alt="Before (plate)"
              draggable={false}
              onError={() => setUndecodable(beforeUrl)}
              onLoad={(e) => {
                const { naturalWidth: width, naturalHeight: height } = e.currentTarget;
                if (width !== natural.width || height !== natural.height) setNatural({ width, height });
              }}
            />
          )}
          {showAfter && (
            <img
              className="layer after"
              src={afterUrl}
              alt={
                ready
                  ? 'After (re-aged preview)'
                  : `After (re-aged preview so far: ${stageLabel(picture!, playhead.frame)})`
              }
              draggable={false}
              style={viewer.compare === 'wipe' ? { clipPath: `inset(0 0 0 ${viewer.wipe * 100}%)` } : undefined}
            />
          )}
          {picture && (viewer.showFace || viewer.showMask) && (
            <Overlay entry={picture} face={viewer.showFace} mask={viewer.showMask} />
          )}
        </div>
        {!beforeUrl && (
          <div className="viewer-slate">
            {plateError ??
              (candidate && candidate === undecodable
                ? `Frame ${playhead.frame} (${baseName(platePath ?? '')}) cannot be displayed: the file is not a readable image`
                : plate && !plate.displayable
                  ? `${plate.mime} plate: render a preview to view it`
                  : 'Loading frame…')}
          </div>
        )}
        {showAfter && viewer.compare === 'wipe' && frame.width > 0 && (
          <div
            className="wipe-handle"
            style={{ left: wipeX, top: geometry.top, height: frame.height * geometry.zoom }}
            role="slider"
            aria-label="Wipe"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(viewer.wipe * 100)}
            tabIndex={0}
            data-testid="wipe-handle"
            onKeyDown={(e) => {
              const step = e.key === 'ArrowLeft' ? -0.02 : e.key === 'ArrowRight' ? 0.02 : 0;
              if (step) {
                e.preventDefault();
                e.stopPropagation();
                setViewer({ wipe: viewer.wipe + step });
              }
            }}
          >
            <span className="wipe-grip" />
          </div>
        )}
        <div className="viewer-tag a">A · plate</div>
        {afterUrl && viewer.compare !== 'before' && (
          <div className="viewer-tag b">
            B · {clip.settings.targetAge} · {clip.settings.mode === 'pixel' ? 'pixel-wise' : 'identity'}
            {clip.settings.detail ? ' + detail' : ''}
            {clip.settings.strength !== 1 ? ` · strength ${clip.settings.strength}` : ''}
            {clip.settings.texture !== 1 ? ` · texture ${clip.settings.texture}` : ''} · {clip.settings.composite}
            {picture && (
              <span
                className="stage-label"
                data-testid="preview-stage"
                data-stage={'status' in picture ? 'final' : picture.stage}
              >
                {' · '}
                {stageLabel(picture, playhead.frame)}
              </span>
            )}
          </div>
        )}
        {!entry && (
          <div className="viewer-hint">
            No preview for these settings. Press <kbd>R</kbd> or Render Preview.
          </div>
        )}
        <StatusCard entry={entry} />
      </div>
    </section>
  );
}
