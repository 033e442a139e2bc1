/**
 * The viewer, for QC: the frame under the playhead as A (the plate), B (the
 * engine's preview), a wipe between them (vertical or horizontal), their
 * amplified difference |B−A|, or A and B side by side under one zoom and pan.
 * Wheel zooms about the cursor, dragging pans; above 100% pixels are drawn as
 * blocks (nearest neighbour), so what is judged is the frame's own pixels. The
 * readout gives the frame pixel under the cursor and A's and B's values there;
 * exposure and channel views change the display only. While a preview renders, B
 * shows its latest picture so far, labelled, until the final one replaces it.
 */
import {
  useEffect,
  useRef,
  useState,
  type CSSProperties,
  type MouseEvent,
  type PointerEvent,
  type ReactElement,
  type WheelEvent,
} from 'react';
import type { AgeCategory } from '../../shared/ages.js';
import { baseName, clipFramePath, type ShotSettings } from '../../shared/project.js';
import { addOtherFace, chooseShotFace, otherFaceIndex, removeOtherFace } from '../lib/other-faces.js';
import { previewKey } from '../lib/preview-key.js';
import {
  differencePixels,
  fitZoom,
  frameGeometry,
  framePixelAt,
  isNeutralLook,
  lookMatrix,
  panKeeping,
  rgbAt,
  wipeAt,
  wipeHandle,
  type Geometry,
  type Size,
} from '../lib/viewer-math.js';
import type { ViewerSettings } from '../state/playback-slice.js';
import type { PreviewEntry, PreviewStagePicture } from '../state/preview-slice.js';
import { useStudio } from '../state/store.js';
import { useElapsed, useElementSize, useFrameImage, usePixels, type Pixels } from './hooks.js';
import { LookBadge, PixelReadout, TagA, TagB, TagDifference, TagMatte, type Showing } from './ViewerLabels.js';
import { ViewerToolbar } from './ViewerToolbar.js';

const MIN_ZOOM = 0.05;
const MAX_ZOOM = 32;
/** the gutter between the two panes of the side-by-side view, in screen pixels */
const SIDE_GAP = 4;
/** the SVG filter holding the display look (exposure, channel), referenced by the layers' CSS */
const LOOK_FILTER_ID = 'viewer-look';

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

/** The track ids of the settings' other faces on a finished preview's frame (a stage's picture has none). */
function pictureOthers(picture: Picture | undefined): readonly (number | null)[] | undefined {
  return picture && 'status' in picture ? picture.otherFaces : undefined;
}

/** Each other face's track id on this frame with the target it is aged to. */
function otherTargets(ids: readonly (number | null)[] | undefined, settings: ShotSettings): Map<number, AgeCategory> {
  const out = new Map<number, AgeCategory>();
  ids?.forEach((id, i) => {
    const other = settings.otherFaces?.[i];
    if (id !== null && other) out.set(id, other.targetAge);
  });
  return out;
}

/** Whether the overlay draws the frame's faces to choose from: asked for, or more than one to choose. */
function showsFaces(entry: Picture, face: boolean): boolean {
  return face || (entry.faces?.length ?? 0) > 1;
}

/**
 * Every face of the frame, boxed with its track id; the one aged is marked, and the shot's
 * other faces with their own targets. A box is a target: a press on it chooses that face
 * for the shot, a shift-press ages it too or stops ageing it (Viewer's onPointerDown reads
 * data-face-*), so the choice needs no other mode.
 */
function FaceChoices({ entry, others }: { entry: Picture; others: ReadonlyMap<number, AgeCategory> }) {
  const label = Math.max(10, entry.height / 28);
  return (
    <>
      {entry.faces?.map((f) => {
        const chosen = f.id === entry.chosenFace;
        const other = others.get(f.id);
        return (
          <g
            key={f.id}
            className={`face-choice${chosen ? ' chosen' : ''}${other ? ' other' : ''}${f.bridged ? ' bridged' : ''}`}
            data-testid="face-choice"
            data-face-id={f.id}
            data-face-x={f.box.x + f.box.width / 2}
            data-face-y={f.box.y + f.box.height / 2}
          >
            <title>
              {chosen
                ? `face ${f.id} (aged)`
                : other
                  ? `face ${f.id} (aged to ${other}): shift-click to stop ageing it`
                  : `face ${f.id}: click to age this face, shift-click to age it too`}
            </title>
            <rect x={f.box.x} y={f.box.y} width={f.box.width} height={f.box.height} vectorEffect="non-scaling-stroke" />
            <text x={f.box.x + 2} y={f.box.y - label * 0.25} fontSize={label}>
              {f.id}
              {chosen ? ' · aged' : other ? ` · aged · ${other}` : ''}
            </text>
          </g>
        );
      })}
    </>
  );
}

function Overlay(props: { entry: Picture; face: boolean; mask: boolean; others: ReadonlyMap<number, AgeCategory> }) {
  const { entry } = props;
  const box = entry.face?.box;
  const outline = entry.maskOutline?.map((p) => `${p.x},${p.y}`).join(' ');
  const choices = showsFaces(entry, props.face) && !!entry.faces?.length;
  return (
    <svg className="viewer-overlay" viewBox={`0 0 ${entry.width} ${entry.height}`} aria-hidden="true">
      {choices && <FaceChoices entry={entry} others={props.others} />}
      {props.face && !choices && box && (
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

/** What the viewer shows: the mode asked for, or A alone while there is no B to compare with. */
function showingFor(viewer: ViewerSettings, hasB: boolean): Showing {
  if (!hasB || viewer.compare === 'before') return 'a';
  if (viewer.compare === 'after') return 'b';
  if (viewer.compare === 'wipe') return viewer.wipeAxis === 'vertical' ? 'wipe-vertical' : 'wipe-horizontal';
  return viewer.compare;
}

/**
 * The display look (exposure, channel view) as an SVG filter the layers reference.
 * It runs in linear light, so +1 stop doubles the light, not the encoded value; it is
 * a filter on what is drawn and never touches the pictures' data or the exports.
 */
function LookFilter(props: { viewer: ViewerSettings }): ReactElement {
  return (
    <svg className="look-filter" width="0" height="0" aria-hidden="true">
      <filter id={LOOK_FILTER_ID} colorInterpolationFilters="linearRGB">
        <feColorMatrix type="matrix" values={lookMatrix(props.viewer.channel, props.viewer.exposure).join(' ')} />
      </filter>
    </svg>
  );
}

/** |B−A| × gain drawn on a canvas from the two decoded pictures, once both are here. */
function DifferenceLayer(props: { a: Pixels | null; b: Pixels | null; gain: number; style?: CSSProperties }) {
  const { a, b, gain } = props;
  const ref = useRef<HTMLCanvasElement>(null);
  const ready = !!a && !!b && a.width === b.width && a.height === b.height;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !a || !b || a.width !== b.width || a.height !== b.height) return;
    canvas.width = a.width;
    canvas.height = a.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const out = ctx.createImageData(a.width, a.height);
    differencePixels(a.data, b.data, gain, out.data);
    ctx.putImageData(out, 0, 0);
  }, [a, b, gain]);
  return (
    <canvas
      ref={ref}
      className="layer difference"
      style={props.style}
      role="img"
      aria-label={`Difference |B−A| × ${gain}`}
      data-testid="difference-layer"
      data-ready={ready}
    />
  );
}

type PaneContent = 'a' | 'b' | 'wipe' | 'difference' | 'matte';

interface StageProps {
  content: PaneContent;
  frame: Size;
  geometry: Geometry;
  viewer: ViewerSettings;
  beforeUrl: string | undefined;
  afterUrl: string | undefined;
  afterAlt: string;
  /** the matte B's change was composited under */
  matteUrl: string | undefined;
  pixels: { a: Pixels | null; b: Pixels | null };
  onPlateLoad(size: Size): void;
  onPlateError(url: string): void;
  overlay: ReactElement | null;
}

/** One pane's picture: the frame's layers, scaled and placed by the geometry. */
function Stage(props: StageProps): ReactElement {
  const { content, frame, geometry, viewer, beforeUrl, afterUrl } = props;
  // nearest neighbour above 100%: a QC viewer shows the frame's pixels, not a smoothed guess at them
  const pixelated = geometry.zoom > 1;
  const look = isNeutralLook(viewer.channel, viewer.exposure) ? undefined : `url(#${LOOK_FILTER_ID})`;
  const showA = content === 'a' || content === 'wipe';
  const showB = !!afterUrl && (content === 'b' || content === 'wipe');
  const w = viewer.wipe * 100;
  const clip = viewer.wipeAxis === 'vertical' ? `inset(0 0 0 ${w}%)` : `inset(${w}% 0 0 0)`;
  return (
    <div
      className={`viewer-stage${pixelated ? ' pixelated' : ''}`}
      data-testid="viewer-stage"
      data-pixelated={pixelated}
      style={{
        width: frame.width || undefined,
        height: frame.height || undefined,
        transform: `translate(${geometry.left}px, ${geometry.top}px) scale(${geometry.zoom})`,
      }}
    >
      {showA && beforeUrl && (
        <img
          className="layer before"
          src={beforeUrl}
          alt="Before (plate)"
          draggable={false}
          style={look ? { filter: look } : undefined}
          onError={() => props.onPlateError(beforeUrl)}
          onLoad={(e) =>
            props.onPlateLoad({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })
          }
        />
      )}
      {showB && (
        <img
          className="layer after"
          src={afterUrl}
          alt={props.afterAlt}
          draggable={false}
          style={{ ...(look ? { filter: look } : {}), ...(content === 'wipe' ? { clipPath: clip } : {}) }}
        />
      )}
      {content === 'matte' && props.matteUrl && (
        <img className="layer matte" src={props.matteUrl} alt="Matte of the change" draggable={false} />
      )}
      {viewer.showMask && props.matteUrl && content !== 'matte' && (
        <div
          className="layer matte-tint"
          data-testid="matte-overlay"
          style={{ maskImage: `url(${props.matteUrl})`, WebkitMaskImage: `url(${props.matteUrl})` }}
        />
      )}
      {content === 'difference' && (
        <DifferenceLayer
          a={props.pixels.a}
          b={props.pixels.b}
          gain={viewer.gain}
          style={look ? { filter: look } : undefined}
        />
      )}
      {props.overlay}
    </div>
  );
}

/** The wipe's handle, drawn where it is on screen and grabbable whatever the zoom and pan. */
function WipeHandleView(props: {
  viewer: ViewerSettings;
  geometry: Geometry;
  frame: Size;
  pane: Size;
  onStep(delta: number): void;
}): ReactElement {
  const { viewer } = props;
  const handle = wipeHandle(viewer.wipe, viewer.wipeAxis, props.geometry, props.frame, props.pane);
  const vertical = handle.axis === 'vertical';
  const style: CSSProperties = vertical
    ? { left: handle.at, top: handle.from, height: handle.to - handle.from }
    : { top: handle.at, left: handle.from, width: handle.to - handle.from };
  const gripStyle: CSSProperties = vertical ? { top: handle.grip - handle.from } : { left: handle.grip - handle.from };
  const [less, more] = vertical ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
  return (
    <div
      className={`wipe-handle ${handle.axis}${handle.clamped ? ' clamped' : ''}`}
      style={style}
      role="slider"
      aria-label="Wipe"
      aria-orientation={vertical ? 'horizontal' : 'vertical'}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(viewer.wipe * 100)}
      tabIndex={0}
      data-testid="wipe-handle"
      data-axis={handle.axis}
      data-clamped={handle.clamped}
      title={handle.clamped ? 'The wipe is off screen: drag it into view' : 'Drag to move the wipe'}
      onKeyDown={(e) => {
        const step = e.key === less ? -0.02 : e.key === more ? 0.02 : 0;
        if (step) {
          e.preventDefault();
          e.stopPropagation();
          props.onStep(step);
        }
      }}
    >
      <span className="wipe-grip" style={gripStyle} />
    </div>
  );
}

/** The frame pixel under the cursor, kept only while it changes (not on every pointer move). */
function useCursorPixel(): [{ x: number; y: number } | null, (p: { x: number; y: number } | null) => void] {
  const [at, setAt] = useState<{ x: number; y: number } | null>(null);
  const update = (p: { x: number; y: number } | null) => setAt((old) => (old?.x === p?.x && old?.y === p?.y ? old : p));
  return [at, update];
}

export function Viewer(): ReactElement {
  const clips = useStudio((s) => s.project.timeline.clips);
  const playhead = useStudio((s) => s.playhead);
  const previews = useStudio((s) => s.previews);
  const viewer = useStudio((s) => s.viewer);
  const setViewer = useStudio((s) => s.setViewer);
  const startImport = useStudio((s) => s.startImport);
  const updateSettings = useStudio((s) => s.updateSettings);

  const clip = playhead ? clips.find((c) => c.id === playhead.clipId) : undefined;
  const platePath = clip && playhead ? clipFramePath(clip, playhead.frame) : null;
  const key = clip && playhead && platePath ? previewKey(platePath, playhead.frame, clip.settings) : null;
  const entry = key ? previews[key] : undefined;
  const ready = entry?.status === 'ready' ? entry : undefined;
  const picture: Picture | undefined = ready ?? (entry?.status === 'rendering' ? entry.stage : undefined);
  const { image: plate, error: plateError } = useFrameImage(platePath);

  const { ref: areaRef, element: area, size: areaSize } = useElementSize<HTMLDivElement>();
  const [natural, setNatural] = useState({ width: 0, height: 0 });
  const frame = picture ? { width: picture.width, height: picture.height } : natural;

  // a plate the browser cannot decode (a corrupt file) gets a slate naming it, not a broken-image icon
  const [undecodable, setUndecodable] = useState<string | null>(null);
  const candidate = picture?.beforeUrl ?? (plate?.displayable ? plate.url : undefined);
  const beforeUrl = candidate !== undefined && candidate !== undecodable ? candidate : undefined;
  const afterUrl = picture?.afterUrl;
  const showing = showingFor(viewer, !!afterUrl);
  const side = showing === 'side';

  // side by side: two panes under one zoom and pan, so the same detail is in the same place in both
  const pane: Size = side ? { width: Math.max(0, (areaSize.width - SIDE_GAP) / 2), height: areaSize.height } : areaSize;
  const measured = frame.width > 0 && pane.width > 0;
  const zoom = viewer.zoom ?? fitZoom(frame, pane);
  const geometry = frameGeometry(frame, pane, zoom, viewer.pan);

  const [hover, setHover] = useState(false);
  const [cursor, setCursor] = useCursorPixel();
  const wantPixels = hover || showing === 'difference';
  const pixels = { a: usePixels(beforeUrl, wantPixels), b: usePixels(afterUrl, wantPixels) };

  const drag = useRef<{ kind: 'pan' | 'wipe'; x: number; y: number; pan: { x: number; y: number } } | null>(null);

  /** A pointer's position in the pane under it (either pane of side by side: the same frame point). */
  const toPane = (clientX: number, clientY: number): { x: number; y: number } | null => {
    const rect = area?.getBoundingClientRect();
    if (!rect) return null;
    let x = clientX - rect.left;
    if (side && x >= pane.width + SIDE_GAP / 2) x -= pane.width + SIDE_GAP;
    return { x, y: clientY - rect.top };
  };
  const moveWipe = (clientX: number, clientY: number) => {
    const p = toPane(clientX, clientY);
    if (p && measured) setViewer({ wipe: wipeAt(viewer.wipeAxis, geometry, frame, p.x, p.y) });
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 && e.button !== 1) return;
    // the picture takes the keyboard back from a field or slider, so the arrows step frames again
    (document.activeElement as HTMLElement | null)?.blur?.();
    // a face's box: age that face in this shot (its centre on this frame, which the engine resolves to its track)
    const choice = e.button === 0 ? (e.target as Element).closest?.('[data-face-id]') : null;
    if (choice && clip && playhead) {
      const x = Number(choice.getAttribute('data-face-x'));
      const y = Number(choice.getAttribute('data-face-y'));
      const id = Number(choice.getAttribute('data-face-id'));
      const face = { x: Math.round(x), y: Math.round(y), frame: playhead.frame };
      const otherIndex = otherFaceIndex(pictureOthers(picture), id);
      if (e.shiftKey) {
        // the shot's own face stays; another face is aged too, or no longer
        if (id === picture?.chosenFace) return;
        const patch = otherIndex >= 0 ? removeOtherFace(clip.settings, otherIndex) : addOtherFace(clip.settings, face);
        if (patch) updateSettings(clip.id, patch);
      } else if (id !== picture?.chosenFace) updateSettings(clip.id, chooseShotFace(clip.settings, face, otherIndex));
      return;
    }
    const onHandle = (e.target as HTMLElement).closest('.wipe-handle');
    drag.current = { kind: onHandle ? 'wipe' : 'pan', x: e.clientX, y: e.clientY, pan: viewer.pan };
    e.currentTarget.setPointerCapture?.(e.pointerId);
    if (onHandle) moveWipe(e.clientX, e.clientY);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const p = toPane(e.clientX, e.clientY);
    setCursor(p && measured ? framePixelAt(geometry, frame, p.x, p.y) : null);
    const d = drag.current;
    if (!d) return;
    if (d.kind === 'wipe') moveWipe(e.clientX, e.clientY);
    else setViewer({ pan: { x: d.pan.x + e.clientX - d.x, y: d.pan.y + e.clientY - d.y } });
  };
  const onPointerUp = () => {
    drag.current = null;
  };
  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    const p = toPane(e.clientX, e.clientY);
    if (!p || !measured) return;
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, geometry.zoom * Math.exp(-e.deltaY * 0.0015)));
    // keep the frame point under the cursor where it is
    const at = { u: (p.x - geometry.left) / geometry.zoom, v: (p.y - geometry.top) / geometry.zoom };
    setViewer({ zoom: next, pan: panKeeping(frame, pane, next, at, p) });
  };

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

  const stageLabelNode = picture && (
    <span
      className="stage-label"
      data-testid="preview-stage"
      data-stage={'status' in picture ? 'final' : picture.stage}
    >
      {' · '}
      {stageLabel(picture, playhead.frame)}
    </span>
  );
  const overlay =
    picture && (showsFaces(picture, viewer.showFace) || viewer.showMask) ? (
      <Overlay
        entry={picture}
        face={viewer.showFace}
        mask={viewer.showMask}
        others={otherTargets(pictureOthers(picture), clip.settings)}
      />
    ) : null;
  const stageProps = {
    frame,
    geometry,
    viewer,
    beforeUrl,
    afterUrl,
    matteUrl: picture?.matteUrl,
    afterAlt: ready
      ? 'After (re-aged preview)'
      : `After (re-aged preview so far: ${picture ? stageLabel(picture, playhead.frame) : ''})`,
    pixels,
    onPlateLoad: (size: Size) => {
      if (size.width !== natural.width || size.height !== natural.height) setNatural(size);
    },
    onPlateError: setUndecodable,
    overlay,
  };
  const tags = (() => {
    const b = (place?: string) => <TagB settings={clip.settings} stage={stageLabelNode} place={place} />;
    if (showing === 'a') return <TagA />;
    if (showing === 'b') return b('left');
    if (showing === 'matte') return <TagMatte />;
    if (showing === 'difference')
      return <TagDifference gain={viewer.gain} settings={clip.settings} ready={!!pixels.a && !!pixels.b} />;
    return (
      <>
        <TagA />
        {b(showing === 'wipe-horizontal' ? 'bottom' : undefined)}
      </>
    );
  })();
  const single: PaneContent =
    showing === 'wipe-vertical' || showing === 'wipe-horizontal' ? 'wipe' : showing === 'side' ? 'a' : showing;
  const at = (p: Pixels | null) =>
    p && cursor && cursor.x < p.width && cursor.y < p.height ? rgbAt(p.data, p.width, cursor.x, cursor.y) : null;

  return (
    <section className="viewer" aria-label="Viewer">
      <ViewerToolbar entry={entry} zoom={measured ? geometry.zoom : null} />
      <div
        className="viewer-area"
        ref={areaRef}
        data-testid="viewer"
        data-compare={viewer.compare}
        data-showing={showing}
        data-wipe={viewer.wipe.toFixed(3)}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerEnter={() => setHover(true)}
        onPointerLeave={() => {
          setHover(false);
          setCursor(null);
        }}
        // no focus moves to the handle or the picture on a click: the keyboard stays with the shortcuts
        onMouseDown={(e: MouseEvent) => e.preventDefault()}
        onWheel={onWheel}
        onDoubleClick={() => setViewer({ zoom: null, pan: { x: 0, y: 0 } })}
      >
        <LookFilter viewer={viewer} />
        {side ? (
          <>
            <div className="viewer-pane" style={{ left: 0, width: pane.width }} data-testid="viewer-pane">
              <Stage content="a" {...stageProps} />
              <TagA />
            </div>
            <div
              className="viewer-pane"
              style={{ left: pane.width + SIDE_GAP, width: pane.width }}
              data-testid="viewer-pane"
            >
              <Stage content="b" {...stageProps} />
              <TagB settings={clip.settings} stage={stageLabelNode} place="left" />
            </div>
          </>
        ) : (
          <div className="viewer-pane" style={{ left: 0, width: pane.width || '100%' }} data-testid="viewer-pane">
            <Stage content={single} {...stageProps} />
            {single === 'wipe' && frame.width > 0 && (
              <WipeHandleView
                viewer={viewer}
                geometry={geometry}
                frame={frame}
                pane={pane}
                onStep={(delta) => setViewer({ wipe: viewer.wipe + delta })}
              />
            )}
            {tags}
          </div>
        )}
        {!beforeUrl && (
          <div className="viewer-slate">
            {plateError ??
              (candidate && candidate === undecodable
                ? `Frame ${playhead.frame} (${baseName(platePath ?? '')}) cannot be displayed: the file is not a readable image`
                : plate && !plate.displayable
                  ? `${plate.mime.slice('image/'.length).replace(/^x-/, '').toUpperCase()} plate: a browser cannot show it; render a preview to view it`
                  : 'Loading frame…')}
          </div>
        )}
        <div className="viewer-footer">
          <LookBadge exposure={viewer.exposure} channel={viewer.channel} />
          <PixelReadout at={cursor} a={at(pixels.a)} b={at(pixels.b)} hasB={!!afterUrl} />
        </div>
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
