// Every message is validated where it arrives: these check that malformed or
// unexpected messages are rejected (with a reason) and good ones pass unchanged.
import { describe, expect, it } from 'vitest';
import {
  decodeWire,
  encodeWire,
  parseStudioEvent,
  parseStudioRequest,
  parseStudioResult,
  parseWorkerMessage,
  parseWorkerRequest,
  wsClientMessageSchema,
} from '../../src/shared/ipc.js';
import { DEFAULT_SHOT_SETTINGS, emptyProject } from '../../src/shared/project.js';

const settings = { ...DEFAULT_SHOT_SETTINGS };

describe('studio requests (renderer -> main / host)', () => {
  it('accepts a valid request', () => {
    const parsed = parseStudioRequest({
      method: 'preview.render',
      params: { file: '/plates/a.1001.png', frame: 1001, settings, group: 'viewer' },
    });
    expect(parsed).toMatchObject({ ok: true, value: { method: 'preview.render' } });
  });

  it.each([
    ['not an object', 'preview.render'],
    ['an unknown method', { method: 'fs.deleteEverything', params: {} }],
    ['a method inherited from Object', { method: 'toString', params: {} }],
    ['missing params', { method: 'fs.listFolder' }],
    ['a wrong type', { method: 'fs.listFolder', params: { path: 42 } }],
    ['an empty path', { method: 'fs.readImage', params: { path: '' } }],
    ['a fractional frame', { method: 'preview.render', params: { file: '/a.png', frame: 1.5, settings } }],
    [
      'an unknown age category',
      { method: 'preview.render', params: { file: '/a.png', frame: 1, settings: { ...settings, targetAge: '70+' } } },
    ],
    [
      'too many steps',
      { method: 'preview.render', params: { file: '/a.png', frame: 1, settings: { ...settings, steps: 1e9 } } },
    ],
    [
      'a texture beyond its limit',
      { method: 'preview.render', params: { file: '/a.png', frame: 1, settings: { ...settings, texture: 2.5 } } },
    ],
    ['an export without shots', { method: 'export.start', params: { shots: [], skipExisting: false } }],
    [
      'a project of another format',
      { method: 'project.save', params: { path: '/p.reage', project: { format: 'otio' } } },
    ],
  ])('rejects %s', (_why, raw) => {
    const parsed = parseStudioRequest(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.length).toBeGreaterThan(0);
  });

  it('accepts a whole project', () => {
    expect(
      parseStudioRequest({ method: 'project.save', params: { path: '/p.reage', project: emptyProject() } }).ok,
    ).toBe(true);
  });
});

describe('studio results and events (arriving in the renderer)', () => {
  it('rejects a result of the wrong shape', () => {
    expect(parseStudioResult('fs.listFolder', { path: '/x', entries: [{ name: 'a', kind: 'socket' }] }).ok).toBe(false);
    expect(parseStudioResult('fs.readImage', { path: '/x.png', mime: 'image/png', bytes: 'not bytes' }).ok).toBe(false);
    expect(parseStudioResult('fs.readImage', { path: '/x.png', mime: 'image/png', bytes: new Uint8Array(3) }).ok).toBe(
      true,
    );
  });

  it('rejects unknown events', () => {
    expect(parseStudioEvent({ type: 'menu', command: 'formatDisk' }).ok).toBe(false);
    expect(parseStudioEvent({ type: 'shell', command: 'ls' }).ok).toBe(false);
    expect(parseStudioEvent({ type: 'menu', command: 'undo' }).ok).toBe(true);
    expect(parseStudioEvent({ type: 'engine', status: { state: 'ready', restarts: 0 } }).ok).toBe(true);
  });
});

describe('engine protocol (main <-> worker)', () => {
  it('validates requests arriving in the worker', () => {
    expect(parseWorkerRequest({ type: 'info', id: 'r1' }).ok).toBe(true);
    expect(
      parseWorkerRequest({ type: 'ageShot', id: 'r2', job: { input: '/a.####.png', out: '/o/', settings } }).ok,
    ).toBe(true);
    expect(
      parseWorkerRequest({ type: 'surveyShot', id: 'r5', job: { input: '/a.####.png', out: '/o/', settings } }).ok,
    ).toBe(true);
    expect(parseWorkerRequest({ type: 'surveyShot', id: 'r6', job: { input: '/a.####.png' } }).ok).toBe(false);
    expect(parseWorkerRequest({ type: 'eval', id: 'r3', code: 'process.exit()' }).ok).toBe(false);
    expect(parseWorkerRequest({ type: 'preview', id: 'r4', file: '/a.png', frame: 1 }).ok).toBe(false);
    expect(parseWorkerRequest({ type: 'info' }).ok).toBe(false);
  });

  it('validates messages arriving from the worker', () => {
    expect(
      parseWorkerMessage({
        type: 'progress',
        id: 'r1',
        progress: { done: 1, total: 2, frame: 5, etaSeconds: null, backend: 'wasm' },
      }).ok,
    ).toBe(true);
    expect(parseWorkerMessage({ type: 'progress', id: 'r1', progress: { done: -1 } }).ok).toBe(false);
    expect(parseWorkerMessage({ type: 'frame', id: 'r1', report: { frame: 1, status: 'exploded' } }).ok).toBe(false);
    expect(parseWorkerMessage({ type: 'ready', info: { backend: 'quantum' } }).ok).toBe(false);
    const survey = { sourceAge: '30-39', faces: { '1001': { x: 1, y: 2, width: 30, height: 40 } }, frames: 2 };
    expect(parseWorkerMessage({ type: 'surveyShotResult', id: 'r1', survey })).toMatchObject({
      ok: true,
      value: { survey },
    });
    expect(
      parseWorkerMessage({ type: 'surveyShotResult', id: 'r1', survey: { ...survey, sourceAge: '70+' } }).ok,
    ).toBe(false);
    expect(parseWorkerMessage({ type: 'surveyShotResult', id: 'r1', survey: { faces: {} } }).ok).toBe(false);
  });

  it('keeps the backend details and stage timings the real engine sends', () => {
    const info = {
      backend: 'wasm',
      backendDetails: { name: 'wasm', simd: true, threads: 1, tried: [{ name: 'tensorflow', error: 'not installed' }] },
      model: {
        name: 'm',
        version: '1',
        imageSize: 64,
        categories: ['0-18'],
        path: '/m',
        trained: true,
        knownDefects: [],
      },
      versions: { app: '0.1.0', tfjs: '4.22.0', node: 'v20' },
    };
    const ready = parseWorkerMessage({ type: 'ready', info });
    expect(ready).toMatchObject({ ok: true, value: { info: { backendDetails: info.backendDetails } } });
    const badDetails = { ...info, backendDetails: { name: 'wasm', tried: [{ name: 'quantum', error: '' }] } };
    expect(parseWorkerMessage({ type: 'ready', info: badDetails }).ok).toBe(false);
    // the model's known defects reach the studio whole, or the message is refused
    const defect = { ageCategories: ['50-59'], level: 'warning', summary: 'A mark.', advice: 'Paint it out.' };
    const withDefect = { ...info, model: { ...info.model, knownDefects: [defect] } };
    expect(parseWorkerMessage({ type: 'ready', info: withDefect })).toMatchObject({
      ok: true,
      value: { info: { model: { knownDefects: [defect] } } },
    });
    const badDefect = { ...info, model: { ...info.model, knownDefects: [{ ...defect, level: 'fatal' }] } };
    expect(parseWorkerMessage({ type: 'ready', info: badDefect }).ok).toBe(false);
    const report = { frame: 1, file: '/a.1.png', status: 'done', faceFound: true, seconds: 1, stages: { read: 0.01 } };
    expect(parseWorkerMessage({ type: 'frame', id: 'r1', report })).toMatchObject({
      ok: true,
      value: { report: { stages: { read: 0.01 } } },
    });
  });
});

describe('WebSocket wire format', () => {
  it('round-trips bytes inside messages', () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const decoded = decodeWire(encodeWire({ a: [bytes], b: 'text' })) as { a: [Uint8Array]; b: string };
    expect(decoded.b).toBe('text');
    expect(decoded.a[0]).toBeInstanceOf(Uint8Array);
    expect([...decoded.a[0]]).toEqual([...bytes]);
  });

  it('keeps ordinary objects that merely look similar', () => {
    expect(decodeWire(JSON.stringify({ $bytes: 5 }))).toEqual({ $bytes: 5 });
    expect(decodeWire(JSON.stringify({ $bytes: 'AA==', other: 1 }))).toEqual({ $bytes: 'AA==', other: 1 });
  });

  it('rejects envelopes that are not requests', () => {
    expect(wsClientMessageSchema.safeParse({ kind: 'request', id: 1, method: 'jobs.list', params: {} }).success).toBe(
      true,
    );
    expect(wsClientMessageSchema.safeParse({ kind: 'event', id: 1 }).success).toBe(false);
    expect(wsClientMessageSchema.safeParse({ kind: 'request', id: -1, method: 'x' }).success).toBe(false);
  });
});
