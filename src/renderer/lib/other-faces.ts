/**
 * The shot's other faces (issue #22: several faces of one shot, each aged to its own
 * target), edited from the viewer's face boxes and the inspector. Pure functions from
 * settings to the patch that one undoable edit applies.
 */
import type { AgeCategory } from '../../shared/ages.js';
import { MAX_OTHER_FACES, type FaceSelection, type OtherFace, type ShotSettings } from '../../shared/project.js';

type OtherFacesPatch = Pick<ShotSettings, 'otherFaces'>;

/** The patch with `faces`, the key left out when none remain (settings files stay as they were). */
function withOtherFaces(faces: OtherFace[]): OtherFacesPatch {
  return { otherFaces: faces.length ? faces : undefined };
}

/**
 * Which of the settings' other faces a frame's track id is, by the preview's `otherFaces`
 * (one id per settings' other face, null where that face is not on the frame); -1 if none.
 */
export function otherFaceIndex(ids: readonly (number | null)[] | undefined, id: number): number {
  return ids?.indexOf(id) ?? -1;
}

/** The shot's other faces with `face` added, aged to the shot's target until the artist sets its own; undefined when full. */
export function addOtherFace(settings: ShotSettings, face: FaceSelection): OtherFacesPatch | undefined {
  const faces = settings.otherFaces ?? [];
  if (faces.length >= MAX_OTHER_FACES) return undefined;
  return withOtherFaces([...faces, { face, targetAge: settings.targetAge }]);
}

export function removeOtherFace(settings: ShotSettings, index: number): OtherFacesPatch {
  return withOtherFaces((settings.otherFaces ?? []).filter((_, i) => i !== index));
}

export function setOtherFaceTarget(settings: ShotSettings, index: number, targetAge: AgeCategory): OtherFacesPatch {
  return withOtherFaces((settings.otherFaces ?? []).map((f, i) => (i === index ? { ...f, targetAge } : f)));
}

/**
 * The shot's face moved to `face`: when that face was one of the other faces it leaves
 * them, or the engine would be asked to age it twice.
 */
export function chooseShotFace(settings: ShotSettings, face: FaceSelection, otherIndex: number): Partial<ShotSettings> {
  return otherIndex >= 0 ? { face, ...removeOtherFace(settings, otherIndex) } : { face };
}

/** How the inspector names an other face: its track id where the current preview found it, else where it was picked. */
export function describeOtherFace(face: FaceSelection, id: number | null | undefined): string {
  const where =
    typeof face === 'number'
      ? `track ${face}`
      : `at ${Math.round(face.x)}, ${Math.round(face.y)}${face.frame !== undefined ? ` (frame ${face.frame})` : ''}`;
  return id !== undefined && id !== null ? `Face ${id}` : `Face ${where}`;
}
