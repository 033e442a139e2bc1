/** Playback controls and the current shot / frame readout above the timeline tracks. */
import type { ReactElement } from 'react';
import { COMMON_FRAME_RATES, formatRate, shotTimecode } from '../../shared/timecode.js';
import { useStudio } from '../state/store.js';
import { Icon } from './icons.js';

export function TransportBar(props: { scale: number; onScale(scale: number): void }): ReactElement {
  const playing = useStudio((s) => s.playing);
  const playhead = useStudio((s) => s.playhead);
  const clip = useStudio((s) => s.project.timeline.clips.find((c) => c.id === s.playhead?.clipId));
  const rate = useStudio((s) => s.project.timeline.rate);
  const togglePlay = useStudio((s) => s.togglePlay);
  const stepFrames = useStudio((s) => s.stepFrames);
  const goToEdge = useStudio((s) => s.goToEdge);
  const setFrameRate = useStudio((s) => s.setFrameRate);
  const position = clip && playhead ? playhead.frame - clip.sourceRange.start + 1 : 0;
  const recorded = clip?.mediaReference.startTimecode;
  const clipStart =
    clip && recorded ? { frame: clip.mediaReference.availableRange.start, timecode: recorded } : undefined;
  const length = clip ? clip.sourceRange.end - clip.sourceRange.start + 1 : 0;
  return (
    <div className="toolbar transport" role="toolbar" aria-label="Transport">
      <button
        type="button"
        className="ghost icon-button"
        aria-label="Go to start"
        title="First frame of the shot (Home)"
        onClick={() => goToEdge('start', 'shot')}
      >
        <Icon name="toStart" />
      </button>
      <button
        type="button"
        className="ghost icon-button"
        aria-label="Previous frame"
        title="Previous frame (←)"
        onClick={() => stepFrames(-1)}
      >
        <Icon name="stepBack" />
      </button>
      <button
        type="button"
        className="icon-button play"
        aria-label={playing ? 'Pause' : 'Play'}
        title="Play / pause (Space)"
        onClick={togglePlay}
      >
        <Icon name={playing ? 'pause' : 'play'} />
      </button>
      <button
        type="button"
        className="ghost icon-button"
        aria-label="Next frame"
        title="Next frame (→)"
        onClick={() => stepFrames(1)}
      >
        <Icon name="stepForward" />
      </button>
      <button
        type="button"
        className="ghost icon-button"
        aria-label="Go to end"
        title="Last frame of the shot (End)"
        onClick={() => goToEdge('end', 'shot')}
      >
        <Icon name="toEnd" />
      </button>
      <div className="frame-readout" data-testid="frame-readout">
        <span className="readout-shot">{clip?.name ?? '—'}</span>
        <span className="readout-frame mono">{playhead ? playhead.frame : '----'}</span>
        <span className="readout-of mono">
          {position}/{length}
        </span>
      </div>
      <span
        className="readout mono"
        data-testid="timecode"
        title={
          clipStart
            ? `Timecode from the plates (${clipStart.timecode} at frame ${clipStart.frame})`
            : "Timecode of this frame number at the timeline's rate"
        }
      >
        {playhead ? shotTimecode(playhead.frame, rate, clipStart) : '--:--:--:--'}
      </span>
      <select
        className="rate-select mono"
        aria-label="Frame rate"
        title="Frames per second of the timeline: playback and timecode"
        value={String(rate)}
        onChange={(e) => {
          setFrameRate(Number(e.target.value));
          // hand the arrow keys back to frame stepping
          e.currentTarget.blur();
        }}
      >
        {[...new Set([...COMMON_FRAME_RATES, rate])].map((r) => (
          <option key={r} value={String(r)}>
            {formatRate(r)} fps
          </option>
        ))}
      </select>
      <span className="toolbar-spacer" />
      <label className="timeline-zoom" title="Timeline zoom (Ctrl + wheel)">
        Zoom
        <input
          type="range"
          aria-label="Timeline zoom"
          min={0}
          max={6}
          step={0.1}
          value={Math.log2(props.scale)}
          onChange={(e) => props.onScale(2 ** Number(e.target.value))}
        />
      </label>
    </div>
  );
}
