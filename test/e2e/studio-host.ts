/**
 * The browser host (src/main/host/server.ts) as the end-to-end tests run it: a child
 * process whose output, and whatever the tests add (the page's console), is kept in
 * `log` and printed when a test run ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../..');

export class StudioHost {
  log = '';
  private child: ChildProcess | undefined;

  /** Start the host with these allowed roots and environment; resolves to its URL (with its token). */
  start(roots: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      const args = ['--import', 'tsx', 'src/main/host/server.ts', ...roots.flatMap((r) => ['--root', r])];
      const child = spawn(process.execPath, args, {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      const timer = setTimeout(() => reject(new Error(`the host did not start:\n${this.log}`)), 60_000);
      const read = (chunk: Buffer) => {
        this.log += chunk.toString();
        const url = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(this.log)?.[1];
        if (url) {
          clearTimeout(timer);
          resolvePromise(url);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.on('exit', (code) => reject(new Error(`the host exited (${code}):\n${this.log}`)));
    });
  }

  /**
   * Debian's Chromium, headless, on the host's page at `url`, its profile in `workDir`;
   * the page's errors and warnings go into `log`.
   */
  async openStudio(
    url: string,
    workDir: string,
    chromiumPath: string,
  ): Promise<{ browser: BrowserContext; page: Page }> {
    const browser = await chromium.launchPersistentContext(join(workDir, 'chromium'), {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1600, height: 960 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    await this.watch(page).goto(url);
    return { browser, page };
  }

  /** Another tab of `browser` on the host's page (its own sessionStorage: no project kept from another tab). */
  async openTab(browser: BrowserContext, url: string): Promise<Page> {
    const page = await browser.newPage();
    await this.watch(page).goto(url);
    return page;
  }

  /** The page's errors and warnings go into `log`. */
  private watch(page: Page): Page {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') this.log += `[page ${m.type()}] ${m.text()}\n`;
    });
    page.on('pageerror', (err) => (this.log += `[page error] ${err.message}\n`));
    return page;
  }

  stop(): void {
    this.child?.kill('SIGTERM');
  }
}
