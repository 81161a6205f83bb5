import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { fixtureRepo } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';

/*
 * The HTML report in a real browser: headless Chromium from the system
 * (Debian's `chromium`; .ci/run installs it) loads the page from file://,
 * logs no error and requests nothing else, and draws a board and a migration
 * that are not blank. The screenshots are kept under test-artifacts/report/.
 * Without Chromium the test is skipped, unless CAIRN_BROWSER_TEST=required.
 */

const CHROMIUM = process.env['CAIRN_CHROMIUM'] ?? '/usr/bin/chromium';
const REQUIRED = process.env['CAIRN_BROWSER_TEST'] === 'required';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'report');
const MIGRATION = 'src-storage-handlers-py-20260422T081612';

const haveChromium = existsSync(CHROMIUM);

/**
 * Counts, in the browser (this project has no DOM types, hence the source
 * text), the distinct colours of a PNG and its pixels that are not white.
 */
const INK_OF = `async (data) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + data;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  const colours = new Set();
  let inked = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    const rgb = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
    colours.add(rgb);
    if (rgb !== 0xffffff) inked++;
  }
  return { colours: colours.size, inked, pixels: pixels.length / 4 };
}`;

async function inkOf(page: Page, png: Uint8Array): Promise<{ colours: number; inked: number; pixels: number }> {
  return (await page.evaluate(`(${INK_OF})(${JSON.stringify(Buffer.from(png).toString('base64'))})`)) as { colours: number; inked: number; pixels: number };
}

describe.skipIf(!haveChromium && !REQUIRED)('cairn report in headless Chromium', () => {
  it('loads with no console error or outside request, and draws a board and a migration', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\``).toBe(true);
    const repo = fixtureRepo();
    const out = path.join(tempDir('cairn-report-'), 'index.html');
    const result = runCli(['report', '--out', out], { cwd: repo });
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(`id="m-${MIGRATION}"`);
    mkdirSync(ARTIFACTS, { recursive: true });

    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${mkdtempSync(path.join(os.tmpdir(), 'cairn-chromium-'))}`,
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
      page.on('request', (request) => requests.push(request.url()));
      await page.setViewport({ width: 1200, height: 900 });
      const url = pathToFileURL(out).href;
      await page.goto(url, { waitUntil: 'load' });
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);

      const board = await page.$('#board');
      const migration = await page.$(`#m-${MIGRATION}`);
      if (board === null || migration === null) throw new Error('the board or the migration is missing from the page');
      const boardPng = await board.screenshot({ path: path.join(ARTIFACTS, 'board.png') });
      const migrationPng = await migration.screenshot({ path: path.join(ARTIFACTS, 'migration.png') });
      const graph = await page.$eval(`#m-${MIGRATION} svg.graph`, (svg) => svg.getBoundingClientRect().height);
      expect(graph).toBeGreaterThan(100);

      const scratch = await browser.newPage();
      for (const png of [boardPng, migrationPng]) {
        const ink = await inkOf(scratch, png);
        expect(ink.colours).toBeGreaterThan(8);
        expect(ink.inked / ink.pixels).toBeGreaterThan(0.02);
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
