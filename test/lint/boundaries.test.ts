// The lint-checked layering (eslint.config.js, docs/ARCHITECTURE.md): each runtime
// folder may import only what runs where it runs. Lints small probe sources as if
// they lived in each folder, so a loosened rule fails here, not in review.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** The import-boundary rules a probe at `filePath` breaks. */
async function broken(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const probe = 1;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId?.endsWith('no-restricted-imports')).map((m) => m.ruleId!);
}

describe('import boundaries', () => {
  it('forbids a runtime import of the engine from services, the browser host and Electron main', async () => {
    for (const folder of ['services', 'host', 'electron']) {
      const file = `src/main/${folder}/probe.ts`;
      expect(await broken(file, "import { createEngine } from '../engine/engine.js';\nvoid createEngine;")).toEqual([
        '@typescript-eslint/no-restricted-imports',
      ]);
      expect(await broken(file, "export { loadModel } from '../engine/model.js';")).not.toEqual([]);
      // naming the engine's types is how the protocol is checked against it
      expect(await broken(file, "import type { ShotJob } from '../engine/api.js';\nexport type J = ShotJob;")).toEqual(
        [],
      );
      // shared Node helpers live outside the engine
      expect(await broken(file, "import { writeFileAtomic } from '../node/atomic.js';\nvoid writeFileAtomic;")).toEqual(
        [],
      );
    }
  });

  it('keeps src/main/node free of every main-side folder', async () => {
    for (const target of ['../engine/model.js', '../services/log.js', '../cli/args.js']) {
      expect(await broken('src/main/node/probe.ts', `import * as x from '${target}';\nvoid x;`)).not.toEqual([]);
    }
    expect(await broken('src/main/node/probe.ts', "import { open } from 'node:fs/promises';\nvoid open;")).toEqual([]);
  });

  it('keeps the renderer and shared code off Node and the engine', async () => {
    expect(
      await broken('src/renderer/probe.ts', "import { readFile } from 'node:fs/promises';\nvoid readFile;"),
    ).not.toEqual([]);
    expect(
      await broken(
        'src/renderer/probe.ts',
        "import type { ShotJob } from '../main/engine/api.js';\nexport type J = ShotJob;",
      ),
    ).not.toEqual([]);
    expect(
      await broken(
        'src/shared/probe.ts',
        "import { z } from 'zod';\nimport { join } from 'node:path';\nvoid z; void join;",
      ),
    ).not.toEqual([]);
    expect(await broken('src/main/engine/probe.ts', "import { app } from 'electron';\nvoid app;")).not.toEqual([]);
  });
});
