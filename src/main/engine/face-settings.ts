/**
 * A shot that ages several faces (issue #22: each with its own target) is aged one face
 * after another on each frame, each face with settings of its own: the shot's own
 * settings for its face, and for every other face the shot's settings with that face's
 * selection, target, strength, source age and age keys. Pure: the shot loop, the
 * preview and the survey derive them alike.
 */
import type { OtherFace } from '../../shared/project.js';
import type { AgeSettings } from './types.js';

/** The settings of each face a shot ages: its own face's first, then its other faces' in order. */
export function settingsPerFace(settings: AgeSettings): AgeSettings[] {
  const { otherFaces, ...own } = settings;
  return [own, ...(otherFaces ?? []).map((other) => otherFaceSettings(own, other))];
}

/** Another face's settings: the shot's, but for what the face sets itself (the shot's age keys are its own face's). */
function otherFaceSettings(shot: AgeSettings, other: OtherFace): AgeSettings {
  const { ageKeys: _shotKeys, face: _shotFace, ...shared } = shot;
  return {
    ...shared,
    face: other.face,
    targetAge: other.targetAge,
    strength: other.strength ?? shot.strength,
    // its own age: the shot's source age is that of the shot's face
    sourceAge: other.sourceAge ?? 'auto',
    ...(other.ageKeys ? { ageKeys: other.ageKeys } : {}),
  };
}

/** How a face is named in messages: the shot's face, or the n-th other face by its selection. */
export function faceLabel(index: number, settings: AgeSettings): string {
  if (index === 0) return 'the shot’s face';
  const face = settings.face;
  const named = typeof face === 'number' ? `face ${face}` : face ? `the face at ${face.x},${face.y}` : 'face 0';
  return `other face ${index} (${named})`;
}
