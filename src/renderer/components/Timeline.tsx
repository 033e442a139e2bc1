/**
 * The timeline: shots laid end to end as clips with filmstrip thumbnails, a ruler
 * with frame numbers and the preview-cache line, the per-shot target-age track,
 * and the playhead. Click or drag anywhere on it to scrub.
 */
import { useMemo, useRef, useState, type PointerEvent, type ReactElement } from 'react';
import { ageCurve, formatAgeKey, withAgeKey, withoutAgeKey, type AgeKey } from '../../shared/age-keys.js';
import { AGE_CATEGORIES, type AgeCategory } from '../../shared/ages.js';
import { clipFramePath, type Clip } from '../../shared/project.js';
import { ageKeyAt, layoutTimeline, playheadAtSlot, slotOf, type ClipSpan } from '../lib/timeline.js';
import { previewKey } from '../lib/preview-key.js';
import type { PreviewEntry } from '../state/preview-slice.js';
import { useStudio } from '../state/store.js';
import { useElementSize, useFrameImage } from './hooks.js';
import { DefectMark } from './KnownDefects.js';
import { TransportBar } from './TransportBar.js';

const HEADER_WIDTH = 96;
const THUMB_WIDTH = 72;
/** room before the first frame and after the last, so the playhead is never cut in half */
const PAD = 12;

function Thumb({ clip, frame }: { clip: Clip; frame: number }): ReactElement {
  const { image } = useFrameImage(clipFramePath(clip, frame));
  return (
    <div className="thumb">{image?.displayable && <img src={image.url} alt="" draggable={false} loading="lazy" />}</div>
  );
}

function ClipBlock(props: { span: ClipSpan; ppf: number; selected: boolean }): ReactElement {
  const { span, ppf } = props;
  const width = span.length * ppf;
  const count = Math.max(1, Math.min(span.frames.length, Math.floor(width / THUMB_WIDTH)));
  const thumbs = Array.from(
    { length: count },
    (_, i) => span.frames[count === 1 ? 0 : Math.round((i * (span.frames.length - 1)) / (count - 1))]!,
  );
  const missing = span.clip.mediaReference.missingFrames;
  return (
    <div
      className={`clip${props.selected ? ' selected' : ''}`}
      style={{ left: span.start * ppf, width }}
      data-testid="clip"
      aria-label={`Shot ${span.clip.name}`}
    >
      <div className="filmstrip">
        {thumbs.map((frame, i) => (
          <Thumb key={i} clip={span.clip} frame={frame} />
        ))}
      </div>
      {missing.map((frame) => (
        <span
          key={frame}
          className="gap-mark"
          title={`frame ${frame} missing`}
          style={{ left: (frame - span.clip.sourceRange.start) * ppf, width: Math.max(2, ppf) }}
        />
      ))}
      <div className="clip-label">
        <span className="clip-name">{span.clip.name}</span>
        <span className="clip-range mono">
          {span.clip.sourceRange.start}–{span.clip.sourceRange.end}
        </span>
      </div>
    </div>
  );
}

/** Most points the age curve is drawn with: enough for a smooth ease, few for a long shot. */
const CURVE_POINTS = 200;

/**
 * A shot's age keys on its age track: the eased curve (0-18 at the bottom, 60+ at the
 * top) and a marker on each key's frame. Clicks go through to the track (scrubbing).
 */
/**
 * The shot's age over time as a curve, its keys as marks an artist drags: across to
 * move a key to another frame, up or down to change its age (snapped to the
 * categories). A drag is one undoable edit; a key cannot land on another's frame.
 */
function AgeCurve(props: { span: ClipSpan; keys: readonly AgeKey[] }): ReactElement {
  const { span, keys } = props;
  const updateSettings = useStudio((s) => s.updateSettings);
  const box = useRef<HTMLDivElement>(null);
  const drag = useRef<{ frame: number; pointer: number } | null>(null);
  const moveKey = (e: PointerEvent, key: AgeKey) => {
    const rect = box.current?.getBoundingClientRect();
    if (!rect || !rect.width || !rect.height) return;
    const to = ageKeyAt(
      (e.clientX - rect.left) / rect.width,
      (e.clientY - rect.top) / rect.height,
      span.clip.sourceRange.start,
      span.length,
      AGE_CATEGORIES.length,
    );
    const age = AGE_CATEGORIES[to.ageIndex]!;
    if (to.frame === key.frame && age === key.age) return;
    if (to.frame !== key.frame && keys.some((k) => k.frame === to.frame)) return;
    const moved = withAgeKey(withoutAgeKey(keys, key.frame), { ...key, frame: to.frame, age });
    drag.current = { frame: to.frame, pointer: e.pointerId };
    // every step of one drag merges into one undo step
    updateSettings(span.clip.id, { ageKeys: moved }, `age-key-drag:${span.clip.id}`);
  };
  const first = span.clip.sourceRange.start;
  const last = span.clip.sourceRange.end;
  const count = Math.min(CURVE_POINTS, last - first + 1);
  const frames = Array.from({ length: count }, (_, i) =>
    count === 1 ? first : Math.round(first + (i * (last - first)) / (count - 1)),
  );
  const top = AGE_CATEGORIES.length - 1;
  const x = (f: number) => ((f - first + 0.5) / span.length) * 100;
  const y = (position: number) => 90 - (position / top) * 80;
  const points = ageCurve(keys, frames)
    .map((p, i) => `${x(frames[i]!).toFixed(2)},${y(p).toFixed(2)}`)
    .join(' ');
  return (
    <div className="age-curve" data-testid="age-curve" ref={box}>
      <svg viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
        <polyline points={points} vectorEffect="non-scaling-stroke" />
      </svg>
      {keys
        .filter((k) => k.frame >= first && k.frame <= last)
        .map((k) => (
          <span
            key={k.frame}
            className={`age-key-mark age-${AGE_CATEGORIES.indexOf(k.age)}`}
            data-testid="age-key-mark"
            title={`age key ${formatAgeKey(k)}: drag to move it or change its age`}
            style={{ left: `${x(k.frame)}%`, top: `${y(AGE_CATEGORIES.indexOf(k.age))}%` }}
            onPointerDown={(e) => {
              // the key, not the timeline's scrubbing, takes the pointer
              e.stopPropagation();
              e.preventDefault();
              e.currentTarget.setPointerCapture(e.pointerId);
              drag.current = { frame: k.frame, pointer: e.pointerId };
            }}
            onPointerMove={(e) => {
              if (drag.current?.pointer !== e.pointerId) return;
              const key = keys.find((q) => q.frame === drag.current!.frame);
              if (key) moveKey(e, key);
            }}
            onPointerUp={(e) => {
              if (drag.current?.pointer === e.pointerId) drag.current = null;
            }}
          />
        ))}
    </div>
  );
}

function AgeBlock(props: { span: ClipSpan; ppf: number }): ReactElement {
  const { span, ppf } = props;
  const updateSettings = useStudio((s) => s.updateSettings);
  const age = span.clip.settings.targetAge;
  const keys = span.clip.settings.ageKeys;
  if (keys?.length)
    return (
      <div
        className="age-block age-keyed"
        style={{ left: span.start * ppf, width: span.length * ppf }}
        aria-label={`Age keys of ${span.clip.name}: ${keys.map(formatAgeKey).join(', ')}`}
      >
        <AgeCurve span={span} keys={keys} />
      </div>
    );
  return (
    <div
      className={`age-block age-${AGE_CATEGORIES.indexOf(age)}`}
      style={{ left: span.start * ppf, width: span.length * ppf }}
      onPointerDown={(e) => e.stopPropagation()}
    >
      <select
        aria-label={`Target age of ${span.clip.name}`}
        value={age}
        onChange={(e) => updateSettings(span.clip.id, { targetAge: e.target.value as AgeCategory })}
      >
        {AGE_CATEGORIES.map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </select>
      <DefectMark target={age} />
    </div>
  );
}

/** Tick spacing in frames that keeps labels at least ~70 px apart. */
function tickStep(ppf: number): number {
  for (const step of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000]) if (step * ppf >= 70) return step;
  return 10000;
}

function Ruler(props: { spans: ClipSpan[]; ppf: number; previews: Record<string, PreviewEntry> }): ReactElement {
  const { spans, ppf, previews } = props;
  const step = tickStep(ppf);
  return (
    <div className="ruler">
      {spans.flatMap((span) => {
        const first = span.clip.sourceRange.start;
        const ticks = [];
        for (let f = Math.ceil(first / step) * step; f <= span.clip.sourceRange.end; f += step) {
          ticks.push(
            <span key={`${span.clip.id}-${f}`} className="tick" style={{ left: (span.start + f - first) * ppf }}>
              {f}
            </span>,
          );
        }
        // the cache line: frames whose preview for the current settings is ready
        const cached = span.frames
          .filter((f) => previews[previewKey(clipFramePath(span.clip, f), f, span.clip.settings)]?.status === 'ready')
          .map((f) => (
            <span
              key={`${span.clip.id}-c${f}`}
              className="cache-mark"
              style={{ left: (span.start + f - first) * ppf, width: Math.max(2, ppf) }}
            />
          ));
        return [...ticks, ...cached];
      })}
    </div>
  );
}

export function Timeline(): ReactElement {
  const clips = useStudio((s) => s.project.timeline.clips);
  const playhead = useStudio((s) => s.playhead);
  const selectedClipId = useStudio((s) => s.selectedClipId);
  const previews = useStudio((s) => s.previews);
  const setPlayhead = useStudio((s) => s.setPlayhead);
  const [scale, setScale] = useState(1);
  const { ref: scrollerRef, element: scroller, size } = useElementSize<HTMLDivElement>();
  const { width } = size;

  const layout = useMemo(() => layoutTimeline(clips), [clips]);
  const fit = layout.total > 0 && width > 0 ? (width - 2 * PAD) / layout.total : 8;
  const ppf = Math.max(0.25, fit * scale);
  const slot = playhead ? slotOf(layout, playhead) : null;

  const scrub = (e: PointerEvent<HTMLDivElement>) => {
    const el = scroller;
    if (!el) return;
    const x = e.clientX - el.getBoundingClientRect().left + el.scrollLeft - PAD;
    const target = playheadAtSlot(layout, Math.floor(x / ppf));
    if (target) setPlayhead(target.clipId, target.frame);
  };

  return (
    <section className="timeline" aria-label="Timeline">
      <TransportBar scale={scale} onScale={setScale} />
      <div className="timeline-body">
        <div className="track-headers" style={{ width: HEADER_WIDTH }}>
          <div className="track-header ruler-header">Frame</div>
          <div className="track-header clips-header">V1 · Shots</div>
          <div className="track-header age-header">Target age</div>
        </div>
        <div
          className="tracks"
          ref={scrollerRef}
          data-testid="timeline-tracks"
          onPointerDown={(e) => {
            if (e.button !== 0) return;
            e.currentTarget.setPointerCapture?.(e.pointerId);
            scrub(e);
          }}
          onPointerMove={(e) => {
            if (e.buttons === 1) scrub(e);
          }}
          onWheel={(e) => {
            if (!e.ctrlKey && !e.metaKey) return;
            setScale((s) => Math.min(64, Math.max(1, s * Math.exp(-e.deltaY * 0.002))));
          }}
        >
          <div className="tracks-content" style={{ width: layout.total * ppf + 2 * PAD, paddingLeft: PAD }}>
            <Ruler spans={layout.spans} ppf={ppf} previews={previews} />
            <div className="clip-track">
              {layout.spans.map((span) => (
                <ClipBlock key={span.clip.id} span={span} ppf={ppf} selected={span.clip.id === selectedClipId} />
              ))}
              {clips.length === 0 && <div className="track-empty">No shots yet: import a frame sequence</div>}
            </div>
            <div className="age-track">
              {layout.spans.map((span) => (
                <AgeBlock key={span.clip.id} span={span} ppf={ppf} />
              ))}
            </div>
            {slot !== null && (
              <div className="playhead" style={{ left: PAD + (slot + 0.5) * ppf }} data-testid="playhead">
                <span className="playhead-head" />
              </div>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
