/** How the status bar names the engine's backend and model, short in the bar and in full in its tooltips. */
import type { EngineInfoMessage } from '../../shared/ipc.js';

const BACKEND_NAMES: Record<EngineInfoMessage['backend'], string> = {
  'tensorflow-gpu': 'TensorFlow GPU',
  tensorflow: 'TensorFlow CPU',
  wasm: 'WebAssembly',
  cpu: 'JavaScript CPU',
};

/** "wasm · SIMD · 1 thread", "tensorflow-gpu", "cpu". */
export function backendLabel(info: EngineInfoMessage): string {
  const d = info.backendDetails;
  const parts: string[] = [info.backend];
  if (d?.simd !== undefined) parts.push(d.simd ? 'SIMD' : 'no SIMD');
  if (d?.threads !== undefined) parts.push(`${d.threads} thread${d.threads === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/** What runs and why nothing faster does: one line per backend that was tried and failed. */
export function backendTitle(info: EngineInfoMessage): string {
  const lines = [`Backend: ${BACKEND_NAMES[info.backend]} (${info.backend}), tfjs ${info.versions.tfjs}`];
  const tried = info.backendDetails?.tried ?? [];
  if (tried.length) {
    lines.push('Not available:');
    for (const t of tried) lines.push(`  ${t.name}: ${t.error}`);
  }
  if (info.backend !== 'tensorflow-gpu')
    lines.push('GPU acceleration needs @tensorflow/tfjs-node-gpu with CUDA (see README).');
  return lines.join('\n');
}

/** "reage-utkface-64 v1.0.0". */
export function modelLabel(info: EngineInfoMessage): string {
  return `${info.model.name} v${info.model.version}`;
}

export function modelTitle(info: EngineInfoMessage): string {
  const { model } = info;
  return [
    `Model: ${model.name} v${model.version}${model.trained ? '' : ' (untrained: random weights, for tests only)'}`,
    `${model.imageSize}×${model.imageSize} faces · ${model.categories.length} age categories`,
    model.path,
    `ReAge ${info.versions.app} · Node ${info.versions.node}`,
  ].join('\n');
}
