import { describe, expect, it } from 'vitest';
import {
  associate,
  boxIoU,
  facesOnFrame,
  interpolateFace,
  selectTrack,
  trackFaces,
  trackForBoxes,
  type FrameFaces,
} from '../../src/main/engine/face-tracks.js';
import type { DetectedFace } from '../../src/main/engine/types.js';

/** A synthetic face: a square box with two landmarks at its top corners. */
function face(x: number, y: number, size: number): DetectedFace {
  return {
    box: { x, y, width: size, height: size },
    score: 0.9,
    landmarks: [
      { x, y },
      { x: x + size, y },
    ],
  };
}

function frames(...perFrame: DetectedFace[][]): FrameFaces[] {
  return perFrame.map((faces, i) => ({ frame: 1001 + i, faces }));
}

describe('face tracks', () => {
  it('measures box overlap', () => {
    expect(boxIoU({ x: 0, y: 0, width: 10, height: 10 }, { x: 0, y: 0, width: 10, height: 10 })).toBe(1);
    expect(boxIoU({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(1 / 3);
    expect(boxIoU({ x: 0, y: 0, width: 10, height: 10 }, { x: 20, y: 0, width: 10, height: 10 })).toBe(0);
  });

  it('associates each detection with the track it continues, best overlap first', () => {
    const tracks = [face(0, 0, 100).box, face(300, 0, 60).box];
    // in another order, moved a little; a third face far from both
    const boxes = [face(305, 4, 60).box, face(600, 300, 50).box, face(8, 2, 100).box];
    expect(associate(tracks, boxes)).toEqual([1, undefined, 0]);
  });

  it('matches a fast-moving face by its centre when the boxes hardly overlap', () => {
    expect(associate([face(0, 0, 100).box], [face(45, 0, 100).box])).toEqual([0]);
    // too far, or too different in size
    expect(associate([face(0, 0, 100).box], [face(80, 0, 100).box])).toEqual([undefined]);
    expect(associate([face(0, 0, 100).box], [face(20, 20, 30).box])).toEqual([undefined]);
  });

  it('gives ids in order of appearance, largest first within a frame, and keeps them stable', () => {
    const tracks = trackFaces(
      frames(
        [face(400, 50, 60), face(100, 80, 150)],
        // detection order changes; a third face appears, larger than both
        [face(105, 82, 150), face(402, 50, 60), face(600, 0, 200)],
        [face(110, 84, 150), face(600, 2, 200), face(404, 51, 60)],
      ),
    );
    expect(tracks.map((t) => [...t.faces.keys()])).toEqual([
      [1001, 1002, 1003],
      [1001, 1002, 1003],
      [1002, 1003],
    ]);
    // 0: the largest face of the first frame (today's default), 1 the next; 2 came later
    expect(tracks[0]!.faces.get(1003)!.face.box.x).toBe(110);
    expect(tracks[1]!.faces.get(1003)!.face.box.x).toBe(404);
    expect(tracks[2]!.faces.get(1002)!.face.box.x).toBe(600);
  });

  it('bridges a gap of a few frames with interpolated landmarks', () => {
    const tracks = trackFaces(frames([face(100, 100, 100)], [], [], [face(130, 100, 100)]));
    expect(tracks).toHaveLength(1);
    const t = tracks[0]!;
    expect([...t.faces.keys()].sort()).toEqual([1001, 1002, 1003, 1004]);
    expect(t.faces.get(1002)).toMatchObject({ bridged: true, face: { box: { x: 110 } } });
    expect(t.faces.get(1003)!.face.landmarks[1]).toEqual({ x: 220, y: 100 });
    expect(t.faces.get(1004)!.bridged).toBe(false);
    expect(interpolateFace(face(0, 0, 10), face(10, 0, 20), 0.5).box).toEqual({ x: 5, y: 0, width: 15, height: 15 });
  });

  it('leaves a longer gap empty, and a face found again where it was keeps its id', () => {
    const tracks = trackFaces(
      frames([face(100, 100, 100), face(400, 100, 50)], [face(400, 100, 50)], [], [], [], [], [face(102, 100, 100)]),
      { maxGap: 3 },
    );
    expect(tracks).toHaveLength(2);
    expect([...tracks[0]!.faces.keys()]).toEqual([1001, 1007]);
    expect([...tracks[0]!.faces.values()].every((f) => !f.bridged)).toBe(true);
  });

  it('selects a track by id or by a point on a frame, and says what the shot has otherwise', () => {
    const tracks = trackFaces(frames([face(100, 80, 150), face(400, 50, 60)], [face(102, 80, 150), face(401, 50, 60)]));
    expect(selectTrack(tracks, undefined, 1001)?.id).toBe(0);
    expect(selectTrack(tracks, 1, 1001)?.id).toBe(1);
    expect(() => selectTrack(tracks, 3, 1001)).toThrow('face 3: the shot has faces 0–1');
    expect(selectTrack(tracks, { x: 420, y: 70 }, 1001)?.id).toBe(1);
    expect(selectTrack(tracks, { x: 150, y: 150, frame: 1002 }, 1001)?.id).toBe(0);
    expect(() => selectTrack(tracks, { x: 5, y: 5, frame: 1002 }, 1001)).toThrow(
      'face at 5,5@1002: no face there; frame 1002 has face 0 at 102,80 150×150, face 1 at 401,50 60×60',
    );
    expect(() => selectTrack([], 1, 1001)).toThrow('face 1: no face was found in the shot');
    expect(selectTrack([], undefined, 1001)).toBeUndefined();
  });

  it('finds the track a plan’s boxes follow, and lists a frame’s faces by id', () => {
    const tracks = trackFaces(frames([face(100, 80, 150), face(400, 50, 60)], [face(102, 80, 150), face(401, 50, 60)]));
    expect(trackForBoxes(tracks, { '1002': face(400, 50, 60).box })?.id).toBe(1);
    expect(trackForBoxes(tracks, { '1002': face(900, 500, 60).box })).toBeUndefined();
    expect(facesOnFrame(tracks, 1002)).toEqual([
      { id: 0, box: face(102, 80, 150).box, bridged: false },
      { id: 1, box: face(401, 50, 60).box, bridged: false },
    ]);
  });
});
