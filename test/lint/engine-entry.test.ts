// The engine's entry points (eslint.config.js, ENGINE_PUBLIC): outside src/main/engine the
// model is reached through aging-model.ts and the engine service's modules only, so the
// encode → optimise → detail → generate → composite chain has one place. Lints probe
// sources as if they lived in each folder, so a loosened rule fails here.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** The engine-entry rules a probe at `filePath` breaks. */
async function broken(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const probe = 1;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId?.startsWith('engine-api/')).map((m) => m.ruleId!);
}

/** A value import, a type import and a dynamic import of `module` from a file at `filePath`. */
function importsOf(filePath: string, module: string): string[] {
  const up = filePath.startsWith('scripts/') ? '../src/main/engine' : '../engine';
  return [
    `import * as m from '${up}/${module}.js';\nvoid m;`,
    `import type * as t from '${up}/${module}.js';\nexport type T = typeof t;`,
    `const d = await import('${up}/${module}.js');\nvoid d;`,
  ];
}

const OUTSIDE = ['src/main/cli/probe.ts', 'src/main/eval/probe.ts', 'src/main/worker/probe.ts', 'scripts/probe.ts'];

describe('the engine entry points', () => {
  it('keeps the chain internals out of reach outside the engine, as values, types or dynamic imports', async () => {
    for (const file of OUTSIDE)
      for (const internal of ['optimise', 'detail', 'age-face', 'aging-model-impl', 'model', 'align', 'composite'])
        for (const code of importsOf(file, internal))
          expect(await broken(file, code), `${file}: ${code}`).not.toEqual([]);
  });

  it('opens the public modules and the listed shared ones', async () => {
    for (const file of OUTSIDE)
      for (const open of ['aging-model', 'engine', 'api', 'types', 'sequence-io', 'backend', 'faces', 'measure'])
        for (const code of importsOf(file, open)) expect(await broken(file, code), `${file}: ${code}`).toEqual([]);
  });

  it('lets the model-building scripts reach the modules a model folder is made of, and no other script', async () => {
    const nets = "import { buildNet } from '../src/main/engine/nets.js';\nvoid buildNet;";
    expect(await broken('scripts/import-weights.ts', nets)).toEqual([]);
    expect(await broken('scripts/probe-detail.ts', nets)).not.toEqual([]);
    const chain = "import { optimiseLatent } from '../src/main/engine/optimise.js';\nvoid optimiseLatent;";
    expect(await broken('scripts/import-weights.ts', chain)).not.toEqual([]);
  });

  it("holds services' type imports of the engine to its public modules", async () => {
    const file = 'src/main/services/probe.ts';
    expect(await broken(file, "import type { ShotJob } from '../engine/api.js';\nexport type J = ShotJob;")).toEqual(
      [],
    );
    expect(
      await broken(file, "import type { AgedFrame } from '../engine/age-face.js';\nexport type A = AgedFrame;"),
    ).not.toEqual([]);
  });

  it('leaves tests free to import internals', async () => {
    for (const code of importsOf('test/engine/probe.test.ts', 'optimise'))
      expect(await broken('test/engine/probe.test.ts', code.replace('../engine', '../../src/main/engine'))).toEqual([]);
  });
});
