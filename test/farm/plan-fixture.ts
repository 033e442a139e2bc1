/** A shot plan for the farm tests, as `reage plan` writes one (absolute paths). */
import { PLAN_FORMAT, PLAN_VERSION, parseShotPlan, type ShotPlan } from '../../src/shared/plan.js';

export function testPlan(overrides: Partial<ShotPlan> = {}): ShotPlan {
  return parseShotPlan({
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    name: 'akiyo',
    input: '/plates/akiyo/akiyo.####.png',
    frames: '1001-1005',
    out: '/renders/akiyo/akiyo.####.png',
    settings: {
      targetAge: '60+',
      sourceAge: '30-39',
      mode: 'pixel',
      detail: false,
      strength: 1,
      texture: 1,
      composite: 'delta',
      steps: 60,
      seed: 0,
    },
    preRoll: 3,
    model: { name: 'reage-utkface-64', version: '0.6.0', manifestSha256: '0'.repeat(64) },
    faces: { '1001': { x: 120, y: 60, width: 90, height: 90 } },
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'reage test',
    ...overrides,
  });
}
