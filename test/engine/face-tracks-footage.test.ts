/**
 * The multi-face tracker on real frames: Tears of Steel with a second face pasted in
 * (the plate's own second head faces away and is not detected), so the shot has two
 * faces of different sizes. Skipped when ../shared/footage is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFaces } from '../../src/main/engine/face-track.js';
import { facesOnFrame, selectTrack, trackFaces, type FrameFaces } from '../../src/main/engine/face-tracks.js';
import { FaceAnalyzer } from '../../src/main/engine/faces.js';
import { hasTwoFaceFootage, twoFacePlate } from '../helpers/two-face-plates.js';

const FRAMES = [1001, 1002, 1003];

describe.skipIf(!hasTwoFaceFootage())('face tracks on Tears of Steel', () => {
  let analyzer: FaceAnalyzer;
  let frames: FrameFaces[];
  beforeAll(async () => {
    analyzer = await FaceAnalyzer.load();
    frames = [];
    for (const f of FRAMES) frames.push({ frame: f, faces: await detectFaces(analyzer, await twoFacePlate(f)) });
  }, 120_000);
  afterAll(() => analyzer?.dispose());

  it('follows both faces with stable ids, the actor (larger) as 0', () => {
    const tracks = trackFaces(frames);
    expect(tracks).toHaveLength(2);
    for (const t of tracks) expect([...t.faces.keys()]).toEqual(FRAMES);
    // the actor's face is on the right (x ≈ 400-440), the pasted one on the left (x ≈ 95)
    for (const f of FRAMES) {
      const [actor, pasted] = facesOnFrame(tracks, f);
      expect(actor!.box.x).toBeGreaterThan(380);
      expect(pasted!.box.x).toBeLessThan(150);
    }
    expect(selectTrack(tracks, { x: 140, y: 180, frame: 1002 }, 1001)?.id).toBe(1);
    expect(() => selectTrack(tracks, 2, 1001)).toThrow('face 2: the shot has faces 0–1');
  });

  it('bridges the pasted face when a frame misses it', () => {
    const missed = frames.map((f) => (f.frame === 1002 ? { ...f, faces: f.faces.filter((x) => x.box.x > 300) } : f));
    const tracks = trackFaces(missed);
    expect(tracks).toHaveLength(2);
    const bridged = tracks[1]!.faces.get(1002)!;
    expect(bridged.bridged).toBe(true);
    expect(bridged.face.landmarks).toHaveLength(68);
  });
});
