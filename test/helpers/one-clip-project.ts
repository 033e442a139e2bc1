/** A project file's JSON (as read from disk) holding one clip, tos.####.png frames 1001..`end`, with these settings. */
import { emptyProject, type Clip } from '../../src/shared/project.js';

export function oneClip(settings: Record<string, unknown>, end = 1048): Clip {
  return {
    kind: 'Clip',
    id: 'c1',
    name: 'tos',
    mediaReference: {
      kind: 'ImageSequenceReference',
      targetUrlBase: '/plates',
      namePattern: 'tos.####.png',
      availableRange: { start: 1001, end },
      missingFrames: [],
    },
    sourceRange: { start: 1001, end },
    settings: settings as Clip['settings'],
  };
}

export function oneClipProject(settings: Record<string, unknown>, end = 1048): unknown {
  const p = emptyProject('t');
  return JSON.parse(JSON.stringify({ ...p, timeline: { ...p.timeline, clips: [oneClip(settings, end)] } }));
}
