// The packaged app's Electron fuses (electron-builder.yml, electronFuses). Where the
// Electron binary cannot be downloaded, the configuration is what can be checked:
// each fuse's setting, that electron-builder knows every key, and, by flipping a
// synthetic fuse wire with @electron/fuses through electron-builder's own mapping,
// that the settings land on the fuses we mean. Where a binary is there (a stock
// Electron in node_modules, a packaged build in release/), its fuses are read too.
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire, type FuseConfig } from '@electron/fuses';
import { load } from 'js-yaml';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/** @electron/fuses' marker before the wire, and the states it writes (its constants.ts). */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const DISABLE = '0'.charCodeAt(0);
const ENABLE = '1'.charCodeAt(0);

/** What the issue asks of the packaged build, by electron-builder's key. */
const REQUIRED = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
} as const;
type FuseKey = keyof typeof REQUIRED;

/** The same fuses by their place in the wire, as @electron/fuses names them. */
const WIRE_INDEX: Record<FuseKey, FuseV1Options> = {
  runAsNode: FuseV1Options.RunAsNode,
  enableCookieEncryption: FuseV1Options.EnableCookieEncryption,
  enableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  enableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
  enableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  onlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
  grantFileProtocolExtraPrivileges: FuseV1Options.GrantFileProtocolExtraPrivileges,
};

const builderConfig = load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as {
  electronFuses?: Record<string, unknown>;
  asar?: unknown;
};
const fuses = builderConfig.electronFuses ?? {};

// electron-builder's internals, reached the way electron-builder itself resolves them
const requireFromBuilder = createRequire(createRequire(join(ROOT, 'package.json')).resolve('electron-builder'));
const builderSchema = requireFromBuilder('app-builder-lib/scheme.json') as {
  definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
};
const { PlatformPackager } = requireFromBuilder('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<FuseConfig> } };
};

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reage-fuses-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The state each required fuse must have in a binary built with this configuration. */
function expectRequiredStates(wire: Record<number, number>): void {
  for (const [key, on] of Object.entries(REQUIRED) as [FuseKey, boolean][]) {
    expect({ fuse: key, state: wire[WIRE_INDEX[key]] }).toEqual({ fuse: key, state: on ? ENABLE : DISABLE });
  }
}

describe('electron-builder.yml fuses', () => {
  it('sets every required fuse, with electron-builder keys', () => {
    for (const [key, value] of Object.entries(REQUIRED)) {
      expect({ key, value: fuses[key] }).toEqual({ key, value });
    }
    // a misspelt key would be dropped by electron-builder's mapping and leave its fuse at Electron's default
    const known = Object.keys(builderSchema.definitions.FuseOptionsV1.properties);
    for (const key of Object.keys(fuses)) expect(known).toContain(key);
    // onlyLoadAppFromAsar with no asar would leave the app nothing to load
    expect(builderConfig.asar).toBe(true);
  });

  it('maps onto the wire as intended: electron-builder config → @electron/fuses → a fuse wire', async () => {
    const config = await PlatformPackager.prototype.generateFuseConfig.call({}, fuses);
    expect(config.version).toBe(FuseVersion.V1);
    for (const [key, on] of Object.entries(REQUIRED) as [FuseKey, boolean][]) {
      expect({ key, value: (config as Record<number, unknown>)[WIRE_INDEX[key]] }).toEqual({ key, value: on });
    }

    // A binary stand-in: bytes, the sentinel, wire version 1, the wire length, then
    // one state per fuse, as Electron ships them (run-as-node, NODE_OPTIONS, inspect
    // and file:// privileges on; the rest off), plus one fuse newer than
    // @electron/fuses knows about, which must be left alone.
    const shipped = [ENABLE, DISABLE, ENABLE, ENABLE, DISABLE, DISABLE, DISABLE, ENABLE, ENABLE];
    const before = Buffer.from('\x7fELF…electron code…', 'latin1');
    const after = Buffer.from('…more code', 'latin1');
    const binary = join(scratch(), 'electron');
    writeFileSync(
      binary,
      Buffer.concat([before, Buffer.from(SENTINEL, 'latin1'), Buffer.from([1, shipped.length, ...shipped]), after]),
    );

    expect(await flipFuses(binary, config)).toBe(1);
    const wire = (await getCurrentFuseWire(binary)) as unknown as Record<number, number> & { version: string };
    expect(wire.version).toBe(FuseVersion.V1);
    expectRequiredStates(wire);
    expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(DISABLE);
    expect(wire[8]).toBe(ENABLE);
    // only the wire changed
    const bytes = readFileSync(binary);
    expect(bytes.subarray(0, before.length).equals(before)).toBe(true);
    expect(bytes.subarray(bytes.length - after.length).equals(after)).toBe(true);
  });

  const electronDist = join(ROOT, 'node_modules/electron/dist');
  const pathTxt = join(ROOT, 'node_modules/electron/path.txt');
  const stockBinary = existsSync(pathTxt) ? join(electronDist, readFileSync(pathTxt, 'utf8').trim()) : '';
  // on macOS the wire is in the framework, not the executable: copying the whole bundle is too much here
  it.skipIf(!stockBinary || !existsSync(stockBinary) || process.platform === 'darwin')(
    'flips the fuses of the real Electron binary (a copy) as configured',
    async () => {
      const config = await PlatformPackager.prototype.generateFuseConfig.call({}, fuses);
      const copy = join(scratch(), 'electron');
      copyFileSync(stockBinary, copy);
      await flipFuses(copy, config);
      expectRequiredStates((await getCurrentFuseWire(copy)) as unknown as Record<number, number>);
    },
  );

  // the executables `npm run dist` leaves unpacked next to the installers
  const packaged = [
    join(ROOT, 'release/linux-unpacked/reage-studio'),
    join(ROOT, 'release/win-unpacked/ReAge Studio.exe'),
    join(ROOT, 'release/mac/ReAge Studio.app'),
    join(ROOT, 'release/mac-arm64/ReAge Studio.app'),
  ].filter((p) => existsSync(p));
  it.skipIf(packaged.length === 0)('the packaged build has the fuses set', async () => {
    for (const executable of packaged) {
      expectRequiredStates((await getCurrentFuseWire(executable)) as unknown as Record<number, number>);
    }
  });
});
