/**
 * Previews are cached per frame and per settings: going back to a frame, or back to
 * settings tried before, shows the earlier render at once.
 */
import { ageAt } from '../../shared/age-keys.js';
import type { OtherFace, ShotSettings } from '../../shared/project.js';

export function previewKey(file: string, frame: number, s: ShotSettings): string {
  return [
    file,
    frame,
    s.targetAge,
    s.sourceAge,
    s.mode,
    s.detail,
    s.strength,
    s.texture,
    s.composite,
    s.steps,
    s.seed,
    JSON.stringify(s.face ?? 0),
    // with age keys, what this frame is aged to (a key elsewhere changes it or not)
    s.ageKeys?.length ? JSON.stringify(ageAt(s.ageKeys, frame, s.strength)) : '',
    JSON.stringify(s.colourSpace ?? 'auto'),
    JSON.stringify(s.regions ?? {}),
    JSON.stringify((s.otherFaces ?? []).map((f) => otherFaceAtFrame(f, frame, s.strength))),
  ].join('|');
}

/** What an other face is aged to on this frame: its keys elsewhere do not change the picture here. */
function otherFaceAtFrame(f: OtherFace, frame: number, shotStrength: number): unknown {
  const strength = f.strength ?? shotStrength;
  return [
    f.face,
    f.sourceAge ?? 'auto',
    f.ageKeys?.length ? ageAt(f.ageKeys, frame, strength) : [f.targetAge, strength],
  ];
}
