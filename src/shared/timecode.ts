/**
 * SMPTE timecode for the transport bar (issue #18): a frame number at a frame rate as
 * HH:MM:SS:FF. The NTSC rates (29.97, 59.94) count drop-frame, as their plates'
 * timecode does (`;` before the frames); every other rate, 23.976 included, counts
 * non-drop at its nominal whole rate, which is how SMPTE 12M defines it.
 */

/** Frame rates the studio offers; a project file may hold any positive rate. */
export const COMMON_FRAME_RATES = [23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60] as const;

/** The whole number of frames a timecode second counts at `rate` (24 for 23.976, 30 for 29.97). */
export function nominalRate(rate: number): number {
  return Math.max(1, Math.round(rate));
}

/** True for the rates SMPTE counts drop-frame: 30000/1001 and 60000/1001. */
export function isDropFrameRate(rate: number): boolean {
  return Math.abs(rate - 30000 / 1001) < 0.005 || Math.abs(rate - 60000 / 1001) < 0.005;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * The timecode of frame `frame` counted from 00:00:00:00 at frame 0 (frame numbers as
 * plates carry them: 1001 at 24 fps is 00:00:41:17). Negative frames wrap within the day.
 */
export function frameToTimecode(frame: number, rate: number): string {
  const fps = nominalRate(rate);
  const drop = isDropFrameRate(rate);
  const perDay = fps * 60 * 60 * 24 - (drop ? (fps / 30) * 2 * (24 * 60 - 24 * 6) : 0);
  let n = ((Math.round(frame) % perDay) + perDay) % perDay;
  if (drop) {
    // drop the first `d` frame numbers of every minute except each tenth
    const d = (fps / 30) * 2;
    const perTenMinutes = fps * 600 - 9 * d;
    const perMinute = fps * 60 - d;
    const tens = Math.floor(n / perTenMinutes);
    const rest = n % perTenMinutes;
    n += 9 * d * tens + (rest > d ? d * Math.floor((rest - d) / perMinute) : 0);
  }
  const ff = n % fps;
  const seconds = Math.floor(n / fps);
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}${drop ? ';' : ':'}${two(ff)}`;
}

/** A rate as people write it: 24, 23.976, 29.97. */
export function formatRate(rate: number): string {
  return Number.isInteger(rate) ? String(rate) : String(Math.round(rate * 1000) / 1000);
}

/** The frame count of a timecode at `rate` (inverse of frameToTimecode); undefined when it is not HH:MM:SS:FF. */
export function timecodeToFrame(timecode: string, rate: number): number | undefined {
  const m = /^(\d\d):(\d\d):(\d\d)[:;](\d\d)$/.exec(timecode);
  if (!m) return undefined;
  const [h, min, s, f] = m.slice(1).map(Number) as [number, number, number, number];
  const fps = nominalRate(rate);
  const minutes = 60 * h + min;
  const dropped = isDropFrameRate(rate) ? (fps / 30) * 2 * (minutes - Math.floor(minutes / 10)) : 0;
  return (minutes * 60 + s) * fps + f - dropped;
}

/**
 * The timecode the transport shows for `frame` of a shot: counted on from its plates'
 * own start timecode when they record one (OpenEXR, DPX), else from the frame number.
 */
export function shotTimecode(frame: number, rate: number, start?: { frame: number; timecode: string }): string {
  const at = start && timecodeToFrame(start.timecode, rate);
  return frameToTimecode(at === undefined ? frame : at + (frame - start!.frame), rate);
}
