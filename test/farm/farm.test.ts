// @vitest-environment jsdom
// (jsdom for DOMParser: the XML parser the OpenCue checks read the job spec with)
/**
 * reage farm: the OpenJD, OpenCue and Slurm job generators, checked against what each
 * engine reads: the OpenJD 2023-09 template rules (openjd-rules.ts, from the published
 * specification), OpenCue's cjsl-1.12 DTD (fixtures/, from cuebot's sources; by the
 * DTD reader in dtd.ts and by xmllint --dtdvalid), and bash running the Slurm script.
 * Each job's commands are also run with a stand-in for reage (printf), with the values
 * each scheduler substitutes, to show which frames every task would render.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { load as loadYaml } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main/cli/reage.js';
import { farmDocument } from '../../src/main/cli/farm.js';
import { openCueSpec, type OpenCueOptions } from '../../src/main/cli/farm/opencue.js';
import { openJdTemplate, type OpenJdTemplate } from '../../src/main/cli/farm/openjd.js';
import { slurmScript } from '../../src/main/cli/farm/slurm.js';
import { farmTasks, splitCommandLine, type FarmJobInput, type FarmTask } from '../../src/main/cli/farm/tasks.js';
import { parseFrameRange } from '../../src/shared/sequence.js';
import type { ShotPlan } from '../../src/shared/plan.js';
import { FakeEngine, testDeps, type Sink } from '../cli/fakes.js';
import { dtdProblems, parseDtd } from './dtd.js';
import { expandIntRangeExpr, openJdProblems } from './openjd-rules.js';
import { testPlan } from './plan-fixture.js';

const DTD_FILE = join(import.meta.dirname, 'fixtures', 'cjsl-1.12.dtd');
const DTD = parseDtd(readFileSync(DTD_FILE, 'utf8'));
/** a stand-in for reage that prints its arguments, one a line */
const ECHO = ['printf', '%s\\n'];
const CUE: OpenCueOptions = { show: 'testing', user: 'artist', service: 'shell' };

const work = mkdtempSync(join(tmpdir(), 'reage-farm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function input(
  plan: ShotPlan = testPlan(),
  chunk = 2,
  reage: string[] = ['/usr/bin/node', '/opt/reage/bin/reage.js'],
): FarmJobInput {
  return { plan, planFile: '/shows/abc/plans/akiyo.reage-plan.json', chunk, reage };
}

/** the frames a printf stand-in was asked for: the word after --frames */
function framesArg(printed: string): string {
  const words = printed.split('\n');
  const i = words.indexOf('--frames');
  expect(i).toBeGreaterThan(0);
  return words[i + 1]!;
}

const asRanges = (tasks: FarmTask[]) => tasks.map((t) => `${t.first}-${t.last}`);
const clone = <T>(v: T): T => structuredClone(v);

describe('farm tasks', () => {
  it('splits the frames into chunks of up to N, the last one short', () => {
    expect(asRanges(farmTasks(testPlan({ frames: '1001-1005' }), 2))).toEqual(['1001-1002', '1003-1004', '1005-1005']);
    expect(asRanges(farmTasks(testPlan({ frames: '1001-1006' }), 3))).toEqual(['1001-1003', '1004-1006']);
    expect(asRanges(farmTasks(testPlan({ frames: '1001-1003' }), 10))).toEqual(['1001-1003']);
  });

  it('never lets a chunk span a gap in the plan frames (--frames A-B must name frames the shot has)', () => {
    expect(asRanges(farmTasks(testPlan({ frames: '1001-1003,1010-1012' }), 2))).toEqual([
      '1001-1002',
      '1003-1003',
      '1010-1011',
      '1012-1012',
    ]);
  });

  it('refuses a chunk under one frame', () => {
    expect(() => farmTasks(testPlan(), 0)).toThrow(/--chunk must be a whole number/);
    expect(() => farmTasks(testPlan(), 1.5)).toThrow(/--chunk/);
  });
});

describe('--reage "<command>"', () => {
  it('splits words as a shell does, quotes and escapes included', () => {
    expect(splitCommandLine('reage')).toEqual(['reage']);
    expect(splitCommandLine(`  /usr/bin/node  '/opt/my tools/reage.js' --x`)).toEqual([
      '/usr/bin/node',
      '/opt/my tools/reage.js',
      '--x',
    ]);
    expect(splitCommandLine(`node "/a \\"b\\"/c" d\\ e ''`)).toEqual(['node', '/a "b"/c', 'd e', '']);
  });

  it('refuses an empty or unclosed command, naming what is wrong', () => {
    expect(() => splitCommandLine('   ')).toThrow(/empty/);
    expect(() => splitCommandLine(`node '/x`)).toThrow(/single quote is not closed/);
    expect(() => splitCommandLine(`node "/x`)).toThrow(/double quote is not closed/);
    expect(() => splitCommandLine('node /x\\')).toThrow(/lone backslash/);
  });
});

describe('reage farm openjd', () => {
  const template = openJdTemplate(input());

  it('writes a job template that meets the OpenJD 2023-09 schema rules, without extensions', () => {
    expect(openJdProblems(template)).toEqual([]);
    expect(template.specificationVersion).toBe('jobtemplate-2023-09');
    expect(template).not.toHaveProperty('extensions');
  });

  it('writes the same template as YAML and as JSON, by the --out extension', () => {
    const yaml = farmDocument('openjd', input(), '/x/job.yaml', {});
    const json = farmDocument('openjd', input(), '/x/job.json', {});
    expect(loadYaml(yaml)).toEqual(template);
    expect(JSON.parse(json)).toEqual(template);
    expect(openJdProblems(loadYaml(yaml))).toEqual([]);
    expect(() => farmDocument('openjd', input(), '/x/job.txt', {})).toThrow(/\.yaml, \.yml or \.json/);
  });

  it('gives every task one chunk: ChunkStart and ChunkEnd zipped, resolved into --frames', () => {
    const step = template.steps[0]!;
    const [starts, ends] = step.parameterSpace.taskParameterDefinitions.map((p) => p.range);
    expect(step.parameterSpace.combination).toBe('(ChunkStart, ChunkEnd)');
    // resolve the action's format strings per task, as a worker would (§7.3)
    const resolved = starts!.map((s, i) =>
      step.script.actions.onRun.args.map((a) =>
        a
          .replace('{{Param.PlanFile}}', template.parameterDefinitions[0]!.default)
          .replace('{{Task.Param.ChunkStart}}', String(s))
          .replace('{{Task.Param.ChunkEnd}}', String(ends![i])),
      ),
    );
    const frames = resolved.map((args) => args[args.indexOf('--frames') + 1]!);
    expect(frames).toEqual(asRanges(farmTasks(testPlan(), 2)));
    expect(resolved[0]).toEqual([
      '/opt/reage/bin/reage.js',
      'age',
      '--plan',
      '/shows/abc/plans/akiyo.reage-plan.json',
      '--workers',
      '1',
      '--frames',
      '1001-1002',
    ]);
    expect(step.script.actions.onRun.command).toBe('/usr/bin/node');
    const all = frames.flatMap((f) => parseFrameRange(f));
    expect(all).toEqual(parseFrameRange(testPlan().frames));
  });

  it('the rules catch what an OpenJD implementation refuses', () => {
    const broken: [string, (t: OpenJdTemplate & Record<string, unknown>) => void, RegExp][] = [
      ['an unknown key', (t) => (t.priority = 50), /unknown key "priority"/],
      [
        'a bad identifier',
        (t) => (t.steps[0]!.parameterSpace.taskParameterDefinitions[0]!.name = '1Start'),
        /<Identifier>/,
      ],
      [
        'an undefined reference',
        (t) => (t.steps[0]!.script.actions.onRun.args[3] = '{{Param.Plan}}'),
        /references nothing/,
      ],
      ['a PATH parameter in the job name', (t) => (t.name = 'ReAge {{Param.PlanFile}}'), /references nothing/],
      [
        'a zip of unequal ranges',
        (t) => t.steps[0]!.parameterSpace.taskParameterDefinitions[1]!.range.pop(),
        /different lengths/,
      ],
      [
        'an unclosed reference',
        (t) => (t.steps[0]!.script.actions.onRun.args[5] = '{{Task.Param.ChunkStart'),
        /without closing/,
      ],
      [
        'a missing script',
        (t) => delete (t.steps[0] as Partial<OpenJdTemplate['steps'][0]>).script,
        /missing required "script"/,
      ],
      [
        'a task parameter left out of the combination',
        (t) => (t.steps[0]!.parameterSpace.combination = 'ChunkStart'),
        /exactly once/,
      ],
      [
        'too many values',
        (t) =>
          (t.steps[0]!.parameterSpace.taskParameterDefinitions[0]!.range = Array.from({ length: 1025 }, (_, i) => i)),
        /1025 elements/,
      ],
      ['a long job name', (t) => (t.name = 'x'.repeat(129)), /length 129/],
    ];
    for (const [what, breakIt, expected] of broken) {
      const t = clone(template) as OpenJdTemplate & Record<string, unknown>;
      breakIt(t);
      expect(openJdProblems(t).join('\n'), what).toMatch(expected);
    }
  });

  it('reads integer range expressions as the spec defines them', () => {
    expect(expandIntRangeExpr('1 - 5')).toEqual([1, 2, 3, 4, 5]);
    expect(expandIntRangeExpr('10-15:2,1-5')).toEqual([1, 2, 3, 4, 5, 10, 12, 14]);
    expect(expandIntRangeExpr('1 - -1')).toEqual([1]);
    expect(() => expandIntRangeExpr('1-10:4,9-15')).toThrow(/overlap/);
  });

  it('refuses what a template cannot hold: too many chunks, format-string braces in the command', () => {
    expect(() => openJdTemplate(input(testPlan({ frames: '1-2000' }), 1))).toThrow(
      /more than an OpenJD task parameter holds/,
    );
    expect(() => openJdTemplate(input(testPlan(), 2, ['/opt/{{x}}/node']))).toThrow(/"\{\{"/);
    // braces in the shot's name are dropped, not interpreted
    expect(openJdProblems(openJdTemplate(input(testPlan({ name: 'sh{{o}}t' }))))).toEqual([]);
  });
});

/** Parse XML as a validating parser's first step would; a well-formedness error fails here. */
function parseXml(xml: string): Document {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  return doc;
}

const XMLLINT = spawnSync('xmllint', ['--version']).status === 0;

/**
 * Run each dispatched frame of every layer as cuebot and RQD would: one frame per chunk,
 * at every chunk-th frame of the range, #FRAME_START# that frame, #FRAME_END# that frame
 * plus chunk − 1 (DispatchSupportService.prepareRqdRunFrame), the command run by a shell.
 */
function dispatchOpenCue(doc: Document): string[] {
  const frames: string[] = [];
  for (const layer of Array.from(doc.getElementsByTagName('layer'))) {
    const cmd = layer.getElementsByTagName('cmd')[0]!.textContent!;
    const range = parseFrameRange(layer.getElementsByTagName('range')[0]!.textContent!);
    const chunk = Number(layer.getElementsByTagName('chunk')[0]!.textContent);
    for (let i = 0; i < range.length; i += chunk) {
      const start = range[i]!;
      const line = cmd.replaceAll('#FRAME_START#', String(start)).replaceAll('#FRAME_END#', String(start + chunk - 1));
      frames.push(framesArg(execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' })));
    }
  }
  return frames;
}

describe('reage farm opencue', () => {
  const xml = openCueSpec(input(), CUE);

  it('writes a job spec that is valid against cuebot cjsl-1.12 DTD (element order, required elements, attributes)', () => {
    const doc = parseXml(xml);
    expect(dtdProblems(doc.documentElement, DTD)).toEqual([]);
    expect(doc.doctype?.systemId).toBe('http://localhost:8080/spcue/dtd/cjsl-1.12.dtd');
    expect(doc.doctype?.name).toBe('spec');
  });

  it.skipIf(!XMLLINT && !process.env.CI)(
    'is valid for xmllint, its DOCTYPE resolved to that DTD as cuebot resolves it',
    () => {
      // CI installs libxml2-utils (scripts/setup.sh): there a missing xmllint fails here
      expect(XMLLINT, 'xmllint is not installed (apt-get install libxml2-utils)').toBe(true);
      // cuebot maps the DOCTYPE's system id to its own copy of the DTD; an XML catalog does the same here
      const catalog = join(work, 'catalog.xml');
      writeFileSync(
        catalog,
        `<?xml version="1.0"?>\n<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n` +
          `  <system systemId="http://localhost:8080/spcue/dtd/cjsl-1.12.dtd" uri="${pathToFileURL(DTD_FILE).href}"/>\n</catalog>\n`,
      );
      const file = join(work, 'job.xml');
      const xmllint = () =>
        spawnSync('xmllint', ['--noout', '--nonet', '--valid', file], {
          encoding: 'utf8',
          env: { ...process.env, XML_CATALOG_FILES: catalog },
        });
      writeFileSync(file, xml);
      const run = xmllint();
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      // and it does refuse a spec the DTD forbids: <chunk> before <range>
      writeFileSync(file, xml.replace(/(<range>.*<\/range>)\s*(<chunk>.*<\/chunk>)/, '$2$1'));
      const refused = xmllint();
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/Element layer content does not follow the DTD/);
    },
  );

  it('the DTD check catches what cuebot validating parser refuses', () => {
    const broken: [string, string, RegExp][] = [
      ['chunk before range', xml.replace(/(<range>.*<\/range>)\s*(<chunk>.*<\/chunk>)/, '$2$1'), /layer: children/],
      ['no show', xml.replace(/<show>.*<\/show>/, ''), /spec: children/],
      ['a layer type cuebot lacks', xml.replace('type="Render"', 'type="Shell"'), /not one of Render, Util, Post/],
      ['a job without a name', xml.replace(/<job name="[^"]*">/, '<job>'), /required attribute name missing/],
      [
        'an undeclared element',
        xml.replace('<paused>False</paused>', '<paused>False</paused><retries>2</retries>'),
        /retries: element not declared/,
      ],
    ];
    for (const [what, bad, expected] of broken)
      expect(dtdProblems(parseXml(bad).documentElement, DTD).join('\n'), what).toMatch(expected);
  });

  it('names the show, shot, job and layer as cuebot conforms them (letters, digits, _ and ., at least 3)', () => {
    const doc = parseXml(openCueSpec(input(testPlan({ name: 'Sc-04 Akiyo' })), CUE));
    const text = (tag: string) => doc.getElementsByTagName(tag)[0]!.textContent!;
    expect(text('shot')).toBe('sc_04_akiyo');
    expect(doc.getElementsByTagName('job')[0]!.getAttribute('name')).toBe('reage_sc_04_akiyo');
    for (const name of [text('show'), text('shot'), doc.getElementsByTagName('layer')[0]!.getAttribute('name')!])
      expect(name).toMatch(/^[\w.]{3,}$/);
    expect(() => openCueSpec(input(), { ...CUE, user: 'root' })).toThrow(/refuses jobs launched as root/);
    expect(() => openCueSpec(input(), { ...CUE, show: 'a b' })).toThrow(/not an OpenCue show name/);
  });

  it('each dispatched chunk renders exactly its frames: the short last chunk is clamped to the range', () => {
    const doc = parseXml(openCueSpec(input(testPlan(), 2, ECHO), CUE));
    expect(dispatchOpenCue(doc)).toEqual(['1001-1002', '1003-1004', '1005-1005']);
  });

  it('one layer per run of frames, so no chunk spans a gap', () => {
    const plan = testPlan({ frames: '1001-1003,1010-1012' });
    const doc = parseXml(openCueSpec(input(plan, 2, ECHO), CUE));
    expect(Array.from(doc.getElementsByTagName('layer')).map((l) => l.getAttribute('name'))).toEqual([
      'age_1',
      'age_2',
    ]);
    expect(dtdProblems(doc.documentElement, DTD)).toEqual([]);
    expect(dispatchOpenCue(doc)).toEqual(asRanges(farmTasks(plan, 2)).map((r) => r));
  });

  it('escapes XML and quotes for the shell: a path with & < > quotes and blanks arrives intact', () => {
    const odd = `/shows/R&D <test> "q" 'x'/plan.json`;
    const doc = parseXml(openCueSpec({ ...input(testPlan(), 2, ECHO), planFile: odd }, CUE));
    const cmd = doc
      .getElementsByTagName('cmd')[0]!
      .textContent!.replaceAll('#FRAME_START#', '1001')
      .replaceAll('#FRAME_END#', '1002');
    const words = execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' }).split('\n');
    expect(words.slice(0, 7)).toEqual(['age', '--plan', odd, '--workers', '1', '--frames', '1001-1002']);
  });
});

describe('reage farm slurm', () => {
  const script = slurmScript(input(testPlan(), 2, ECHO), { logDir: '/shows/abc/logs' });

  it('writes an sbatch job array, one task per chunk, one CPU each, a log per task', () => {
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('#SBATCH --array=0-2\n');
    expect(script).toContain('#SBATCH --cpus-per-task=1\n');
    expect(script).toContain('#SBATCH --output=/shows/abc/logs/%x-%A_%a.log\n');
    // sbatch reads directives only before the first command line
    const firstCommand = script.split('\n').findIndex((l) => l && !l.startsWith('#'));
    expect(
      script
        .split('\n')
        .slice(firstCommand)
        .some((l) => l.startsWith('#SBATCH')),
    ).toBe(false);
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('each array task renders its chunk, from SLURM_ARRAY_TASK_ID', () => {
    const run = (id?: number) =>
      spawnSync('bash', ['-s'], {
        input: script,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...(id !== undefined ? { SLURM_ARRAY_TASK_ID: String(id) } : {}) },
      });
    expect([0, 1, 2].map((id) => framesArg(run(id).stdout))).toEqual(['1001-1002', '1003-1004', '1005']);
    const outside = run();
    expect(outside.status).not.toBe(0);
    expect(outside.stderr).toMatch(/submit this script with sbatch/);
  });

  it('refuses a log folder an #SBATCH line cannot carry, and more chunks than an array holds', () => {
    expect(() => slurmScript(input(), { logDir: '/my logs' })).toThrow(/#SBATCH line cannot carry/);
    expect(() => slurmScript(input(testPlan({ frames: '1-1002' }), 1), { logDir: '/l' })).toThrow(/raise --chunk/);
  });
});

describe('reage farm (command line)', () => {
  const planFile = join(work, 'akiyo.reage-plan.json');
  writeFileSync(planFile, JSON.stringify(testPlan()));

  async function farm(...args: string[]) {
    const deps = testDeps(new FakeEngine({}));
    const code = await main(['farm', ...args], deps);
    return { code, out: (deps.stdout as Sink).text, err: (deps.stderr as Sink).text };
  }

  it('writes each engine job file from a plan file', async () => {
    for (const [engine, name, extra] of [
      ['openjd', 'job.yaml', []],
      ['opencue', 'job.xml', ['--user', 'artist']],
      ['slurm', 'job.sh', ['--logs', join(work, 'logs')]],
    ] as const) {
      const out = join(work, engine, name);
      const r = await farm(
        engine,
        '--plan',
        planFile,
        '--chunk',
        '2',
        '--out',
        out,
        '--reage',
        'printf "%s\\n"',
        ...extra,
      );
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`wrote ${out}: akiyo: 5 frames (1001-1005) in 3 chunks of up to 2`);
      const text = readFileSync(out, 'utf8');
      if (engine === 'openjd') expect(openJdProblems(loadYaml(text))).toEqual([]);
      if (engine === 'opencue') expect(dtdProblems(parseXml(text).documentElement, DTD)).toEqual([]);
      if (engine === 'slurm') expect(text).toContain(`--plan ${planFile} --workers 1 --frames "$frames"`);
    }
  });

  it('runs this checkout bin/reage.js with this Node by default', async () => {
    const out = join(work, 'default.json');
    expect((await farm('openjd', '--plan', planFile, '--chunk', '2', '--out', out)).code).toBe(0);
    const t = JSON.parse(readFileSync(out, 'utf8')) as OpenJdTemplate;
    expect(t.steps[0]!.script.actions.onRun.command).toBe(process.execPath);
    expect(t.steps[0]!.script.actions.onRun.args[0]).toBe(join(import.meta.dirname, '..', '..', 'bin', 'reage.js'));
  });

  it('usage errors exit 2 and say what to fix', async () => {
    const cases: [string[], RegExp][] = [
      [['nomad', '--plan', planFile], /needs an engine: openjd, opencue, slurm/],
      [
        ['slurm', '--plan', planFile, '--chunk', '2', '--out', join(work, 'x.sh'), '--show', 'abc'],
        /--show is for reage farm opencue, not slurm/,
      ],
      [['openjd', '--plan', planFile, '--out', join(work, 'x.yaml')], /needs --chunk N/],
      [
        ['openjd', '--plan', planFile, '--chunk', '0', '--out', join(work, 'x.yaml')],
        /--chunk must be a whole number ≥ 1/,
      ],
      [['openjd', '--chunk', '2', '--out', join(work, 'x.yaml')], /needs --plan FILE/],
      [
        ['openjd', '--plan', join(work, 'missing.json'), '--chunk', '2', '--out', join(work, 'x.yaml')],
        /cannot read the shot plan .*missing\.json: it does not exist; write one with reage plan/,
      ],
    ];
    for (const [args, expected] of cases) {
      const r = await farm(...args);
      expect(r.err, args.join(' ')).toMatch(expected);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('a file that is not a plan is named, with what is wrong', async () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...testPlan(), preRoll: -1 }));
    const r = await farm('openjd', '--plan', bad, '--chunk', '2', '--out', join(work, 'x.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.json: not a usable shot plan: .*preRoll/s);
    writeFileSync(bad, '{ nope');
    expect((await farm('openjd', '--plan', bad, '--chunk', '2', '--out', join(work, 'x.yaml'))).err).toMatch(
      /bad\.json is not a shot plan \(not JSON/,
    );
  });
});
