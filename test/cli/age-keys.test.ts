// Age over time on the command line (issue #22, item 2): --age-keys parsed into the
// shot settings with errors naming the bad key, --age optional with keys, and the keys
// recorded in a shot plan and in the job a plan's chunk renders.
import { describe, expect, it } from 'vitest';
import { shotJobFor } from '../../src/main/cli/age.js';
import { parseCommand, UsageError, type AgeCommand, type PlanCommand } from '../../src/main/cli/args.js';
import { jobFromPlan, planFromSurvey } from '../../src/main/cli/plan.js';
import { main } from '../../src/main/cli/reage.js';
import { parseShotPlan } from '../../src/shared/plan.js';
import { FakeEngine, INFO, frame, testDeps } from './fakes.js';

const BASE = ['age', 'in/shot.####.png', '--out', 'out'];
const KEYS = [
  { frame: 1001, age: '30-39' },
  { frame: 1040, age: '60+' },
  { frame: 1050, age: '60+', strength: 1.2 },
];

describe('--age-keys', () => {
  it('takes FRAME:AGE[@STRENGTH] keys into the settings; --age is then optional', () => {
    const cmd = parseCommand([...BASE, '--age-keys', '1001:30-39,1040:60+,1050:60+@1.2']) as AgeCommand;
    expect(cmd.ageKeys).toEqual(KEYS);
    // without --age the first key names the shot's age
    expect(cmd.targetAge).toBe('30-39');
    expect(shotJobFor(cmd).settings.ageKeys).toEqual(KEYS);
    const both = parseCommand([...BASE, '--age', '60+', '--age-keys', '1001:30-39']) as AgeCommand;
    expect(both.targetAge).toBe('60+');
    expect(both.ageKeys).toEqual([{ frame: 1001, age: '30-39' }]);
    expect((parseCommand([...BASE, '--age', '60+']) as AgeCommand).ageKeys).toBeUndefined();
  });

  it('needs --age or --age-keys', () => {
    expect(() => parseCommand(BASE)).toThrow('--age (0-18, 19-29, 30-39, 40-49, 50-59, 60+) or --age-keys');
  });

  it('refuses bad keys as usage errors naming the key', () => {
    const cases: [string, string | RegExp][] = [
      ['1001:30-39,1040:70+', '--age-keys: age key "1040:70+": the age must be one of'],
      ['1001:30-39,x:60+', '--age-keys: age key "x:60+" must be FRAME:CATEGORY'],
      ['1001:60+@4', '--age-keys: age key "1001:60+@4": the strength must be a number from 0 to 3'],
      ['1040:60+,1001:30-39', '--age-keys: age keys must be in frame order'],
      ['1001:60+,1001:0-18', '--age-keys: two age keys on frame 1001'],
      ['1001:60+,', '--age-keys: age key "" must be'],
    ];
    for (const [keys, message] of cases) {
      expect(() => parseCommand([...BASE, '--age-keys', keys])).toThrow(UsageError);
      expect(() => parseCommand([...BASE, '--age-keys', keys])).toThrow(message);
    }
    expect(() => parseCommand(['age', '--plan', 'p.json', '--age-keys', '1001:60+'])).toThrow('drop --age-keys');
  });

  it('exits 2 on a bad key, before the engine starts', async () => {
    const engine = new FakeEngine({ frames: [frame(1001, 'done')] });
    const deps = testDeps(engine);
    expect(await main([...BASE, '--age-keys', '1001:old'], deps)).toBe(2);
    expect(deps.stderr.text).toContain('age key "1001:old"');
    expect(engine.jobs).toHaveLength(0);
  });

  it('hands the keys to the engine', async () => {
    const engine = new FakeEngine({ frames: [frame(1001, 'done')] });
    expect(
      await main([...BASE, '--age-keys', '1001:30-39,1040:60+,1050:60+@1.2', '--workers', '1'], testDeps(engine)),
    ).toBe(0);
    expect(engine.jobs[0]!.settings.ageKeys).toEqual(KEYS);
  });
});

describe('age keys in a plan', () => {
  it('are parsed with the plan command’s settings, recorded in the plan and rendered by its chunks', () => {
    const cmd = parseCommand([
      'plan',
      'in/shot.####.png',
      '--age-keys',
      '1001:30-39,1040:60+,1050:60+@1.2',
      '--render-to',
      'out/',
      '--out',
      'p.json',
    ]) as PlanCommand;
    expect(cmd.ageKeys).toEqual(KEYS);
    const {
      command: _c,
      backend: _b,
      model: _m,
      json: _j,
      inputs: _i,
      renderTo: _r,
      out: _o,
      preRoll: _p,
      ...settings
    } = cmd;
    const info = { ...INFO, model: { ...INFO.model, manifestSha256: 'a'.repeat(64) } };
    const plan = planFromSurvey(
      { input: '/plates/shot.####.png', frames: '1001-1060', out: '/renders/', settings },
      { sourceAge: '19-29', faces: {}, frames: 60 },
      info,
      3,
    );
    const read = parseShotPlan(JSON.parse(JSON.stringify(plan)));
    expect(read.settings.ageKeys).toEqual(KEYS);
    expect(jobFromPlan(read, '1030-1045', false).settings.ageKeys).toEqual(KEYS);
    // a plan file with keys out of order is no usable plan
    const bad = { ...plan, settings: { ...plan.settings, ageKeys: [KEYS[1], KEYS[0]] } };
    expect(() => parseShotPlan(JSON.parse(JSON.stringify(bad)))).toThrow(/frame order/);
  });
});
