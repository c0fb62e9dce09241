// What the browser flows share: their settings from the environment, steps
// and screenshots, pages that report their console errors, and a run in
// Debian's Chromium, headless, that exits 0 or 1.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** The flow's helpers; `name` prefixes its complaints about missing settings. */
export function flow(name) {
  const env = process.env;
  const need = (k) => {
    if (!env[k]) {
      console.error(name + ': set ' + k);
      process.exit(2);
    }
    return env[k];
  };
  const base = need('QUIRE_URL').replace(/\/$/, '');
  const shots = need('QUIRE_SHOTS');
  fs.mkdirSync(shots, { recursive: true });
  return {
    need,
    base,
    shots,
    T: Number(env.QUIRE_TIMEOUT_MS || 30000),
    step: (what) => console.log('STEP ' + what),
    async shot(page, label) {
      const file = path.join(shots, label + '.png');
      await page.screenshot({ path: file, fullPage: true });
      console.log('SHOT ' + file);
    },
    async open(context, url, label) {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') console.log(`[${label} console.${m.type()}] ${m.text()}`);
      });
      page.on('pageerror', (e) => console.log(`[${label} page error] ${e.message}`));
      await page.goto(base + url);
      return page;
    },
    /** Runs `steps(browser)` in a fresh headless Chromium (as root without
     *  its sandbox, which cannot start then: CI runs as root), then exits: 0
     *  when they all passed ("STEP done" printed), 1 with "FAILED <why>" and
     *  a screenshot of every page. */
    async run(steps) {
      const args = process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [];
      const browser = await chromium.launch({ executablePath: env.CHROMIUM || '/usr/bin/chromium', args, headless: true });
      let failed = false;
      try {
        await steps(browser);
        console.log('STEP done');
      } catch (e) {
        failed = true;
        console.log('FAILED ' + (e && e.stack ? e.stack : e));
        // Every page as it was when the step failed.
        for (const [c, ctx] of browser.contexts().entries()) {
          for (const [i, page] of ctx.pages().entries()) {
            try {
              const file = path.join(shots, `failure-${c}-${i}.png`);
              await page.screenshot({ path: file, fullPage: true });
              console.log('SHOT ' + file);
            } catch { /* the page is gone */ }
          }
        }
      } finally {
        await browser.close();
      }
      process.exit(failed ? 1 : 0);
    },
  };
}
