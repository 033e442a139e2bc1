import { describe, expect, it } from 'vitest';
import { ageSettingsSchema, previewResultSchema, shotSummarySchema } from '../../src/shared/ipc.js';
import { DEFAULT_SHOT_SETTINGS, migrateProject } from '../../src/shared/project.js';
import { oneClipProject } from '../helpers/one-clip-project.js';
import { shotPlanSchema } from '../../src/shared/plan.js';
import { previewKey } from '../../src/renderer/lib/preview-key.js';

describe('the shot settings’ face', () => {
  it('is optional: a version 2 file without it opens as face 0 (absent), unchanged', () => {
    const project = migrateProject(oneClipProject({ ...DEFAULT_SHOT_SETTINGS }));
    expect(project.version).toBe(2);
    expect(project.timeline.clips[0]!.settings.face).toBeUndefined();
  });

  it('keeps a track id or a point on a frame through the project file', () => {
    expect(migrateProject(oneClipProject({ ...DEFAULT_SHOT_SETTINGS, face: 1 })).timeline.clips[0]!.settings.face).toBe(
      1,
    );
    const point = { x: 420, y: 96, frame: 1012 };
    expect(
      migrateProject(oneClipProject({ ...DEFAULT_SHOT_SETTINGS, face: point })).timeline.clips[0]!.settings.face,
    ).toEqual(point);
  });

  it('refuses a face that is no id or point', () => {
    for (const face of [-1, 1.5, 100, 'one', { x: 1 }])
      expect(() => migrateProject(oneClipProject({ ...DEFAULT_SHOT_SETTINGS, face }))).toThrow('damaged');
  });

  it('crosses the engine protocol and a shot plan', () => {
    expect(ageSettingsSchema.parse({ ...DEFAULT_SHOT_SETTINGS, face: { x: 1, y: 2 } }).face).toEqual({ x: 1, y: 2 });
    const plan = shotPlanSchema.shape.settings.safeParse({ ...DEFAULT_SHOT_SETTINGS, sourceAge: '30-39', face: 1 });
    expect(plan.success && plan.data.face).toBe(1);
    const summary = { total: 1, done: 1, skipped: 0, noFace: 0, failed: 0, failures: [], seconds: 1, backend: 'wasm' };
    expect(shotSummarySchema.parse({ ...summary, face: { id: 1, faces: 2, bridged: 0, absent: 0 } }).face?.id).toBe(1);
    const preview = {
      frame: 1001,
      file: '/p/a.1001.png',
      width: 4,
      height: 4,
      beforePng: new Uint8Array(1),
      afterPng: new Uint8Array(1),
      faces: [
        { id: 0, box: { x: 0, y: 0, width: 2, height: 2 } },
        { id: 1, box: { x: 2, y: 2, width: 1, height: 1 }, bridged: true },
      ],
      chosenFace: 1,
      seconds: 1,
    };
    expect(previewResultSchema.parse(preview).faces).toHaveLength(2);
  });

  it('is part of a preview’s cache key', () => {
    const a = previewKey('/p/a.1001.png', 1001, DEFAULT_SHOT_SETTINGS);
    expect(previewKey('/p/a.1001.png', 1001, { ...DEFAULT_SHOT_SETTINGS, face: 0 })).toBe(a);
    expect(previewKey('/p/a.1001.png', 1001, { ...DEFAULT_SHOT_SETTINGS, face: 1 })).not.toBe(a);
  });
});
