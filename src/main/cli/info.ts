/**
 * `reage info`: which backend is active (and why a faster one is not), which model
 * is loaded, and the versions, so a render-farm log says what produced its frames.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defectLine } from '../../shared/known-defects.js';
import type { InfoCommand } from './args.js';
import type { CliDeps, CliEngineInfo } from './deps.js';
import { EXIT_OK } from './frame-output.js';
import { openEngine } from './session.js';

export interface InfoRecord {
  backend: { name: string; threads: number | null; simd: boolean | null; tried: { name: string; error: string }[] };
  model: CliEngineInfo['model'] & {
    /** bytes on disk; null when the folder cannot be read */
    bytes: number | null;
  };
  versions: CliEngineInfo['versions'];
}

/** Total size of the files under a folder. */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

export function infoRecord(info: CliEngineInfo, modelBytes: number | null): InfoRecord {
  const details = info.backendDetails;
  return {
    backend: {
      name: info.backend,
      threads: details?.threads ?? null,
      simd: details?.simd ?? null,
      tried: details?.tried ?? [],
    },
    model: { ...info.model, bytes: modelBytes },
    versions: info.versions,
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** "SIMD, 1 thread" for wasm; empty where the backend reports neither. */
export function backendNote(b: { simd?: boolean | null; threads?: number | null }): string {
  return [
    ...(b.simd != null ? [b.simd ? 'SIMD' : 'no SIMD'] : []),
    ...(b.threads != null ? [`${b.threads} thread${b.threads === 1 ? '' : 's'}`] : []),
  ].join(', ');
}

export function formatInfo(r: InfoRecord): string {
  const note = backendNote(r.backend);
  const m = r.model;
  const lines = [
    `backend   ${r.backend.name}${note ? ` (${note})` : ''}`,
    ...r.backend.tried.map((t) => `          not used: ${t.name}: ${t.error}`),
    `model     ${m.name} ${m.version}: ${m.imageSize}×${m.imageSize} px, ${m.categories.length} age categories (${m.categories.join(', ')})${m.bytes !== null ? `, ${megabytes(m.bytes)}` : ''}`,
    `          ${m.path}`,
    `          ${m.trained ? 'trained' : 'UNTRAINED: random weights for tests, not a usable model'}`,
    ...m.knownDefects.map((d) => `          known defect, ${defectLine(d)}`),
    `versions  reage ${r.versions.app}, tfjs ${r.versions.tfjs}, node ${r.versions.node}`,
  ];
  return lines.join('\n');
}

export async function runInfo(cmd: InfoCommand, deps: CliDeps): Promise<number> {
  const engine = await openEngine(deps, cmd);
  try {
    const info = engine.info();
    const bytes = await folderBytes(info.model.path).catch(() => null);
    const record = infoRecord(info, bytes);
    deps.stdout.write(cmd.json ? `${JSON.stringify(record, null, 2)}\n` : `${formatInfo(record)}\n`);
    return EXIT_OK;
  } finally {
    engine.dispose();
  }
}
