// quorum's pages in Debian's chromium, driven by playwright-core: each
// page at desktop and phone size, screenshotted, checked by axe-core,
// and every request it makes counted by origin.  Prints JSON for the
// Python test (test_browser.py) to judge.
//   node run.mjs BASE LINK1 LINK2 OUTDIR
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const [base, link1, link2, outdir, repLink, doorPath] = process.argv.slice(2);
const axeSource = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js',
    import.meta.url), 'utf8');
const results = { pages: [], foreign: [], requests: 0, flows: {} };

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox'] });

async function look(page, size, name) {
    await page.screenshot({ path: path.join(outdir, `${name}-${size}.png`),
        fullPage: true });
    // evaluated through the DevTools protocol: the page's CSP, which
    // allows no script, stays as it is
    await page.evaluate(axeSource);
    const r = await page.evaluate(() => window.axe.run(document,
        { resultTypes: ['violations'] }));
    results.pages.push({ name, size, url: page.url(),
        violations: r.violations.map(v => ({ id: v.id, impact: v.impact,
            nodes: v.nodes.length, help: v.help })) });
}

for (const [size, viewport, link] of [
    ['desktop', { width: 1280, height: 900 }, link1],
    ['phone', { width: 390, height: 844 }, link2]]) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('request', (req) => {
        results.requests++;
        const u = req.url();
        if (!u.startsWith(base + '/') && !u.startsWith('data:'))
            results.foreign.push(u);
    });
    const flow = {};
    await page.goto(base + '/');
    await look(page, size, 'index');
    await page.goto(base + '/audiences/all-members');
    await look(page, size, 'agenda');
    const first = page.locator('ul.agenda a').first();
    if (await first.count()) {
        await Promise.all([page.waitForURL(/\/events\/\d+$/), first.click()]);
        await look(page, size, 'event');
    }
    await page.goto(base + '/signin');
    await look(page, size, 'signin');
    await page.fill('#email', 'nobody@example.org');
    await page.click('button[type=submit]');
    flow.asked = await page.textContent('h1');
    await look(page, size, 'signin-sent');
    await page.goto(link);
    await look(page, size, 'signin-link');
    await Promise.all([page.waitForURL(base + '/me'),
        page.click('button[type=submit]')]);
    flow.me = page.url();
    await look(page, size, 'me');
    flow.subscribe = await page.getAttribute('section.calendar a.button', 'href');
    flow.google = await page.getAttribute('section.calendar a.button.plain', 'href');
    flow.copy = await page.inputValue('section.calendar input[readonly]');
    const going = page.locator('article.meeting button[value=accepted]').first();
    if (await going.count()) {
        await Promise.all([page.waitForURL(/\/me/), going.click()]);
        flow.answer = await page.textContent('article.meeting p.answer');
    }
    await Promise.all([page.waitForURL(/\/me/),
        page.click('form[action="/me/reset"] button')]);
    flow.reset = await page.textContent('[role=status]');
    flow.copyAfterReset = await page.inputValue('section.calendar input[readonly]');
    await look(page, size, 'me-reset');
    results.flows[size] = flow;
    await context.close();
}
// a rep at the door, on a phone
{
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.on('request', (req) => {
        results.requests++;
        if (!req.url().startsWith(base + '/')) results.foreign.push(req.url());
    });
    await page.goto(repLink);
    await Promise.all([page.waitForURL(base + '/me'),
        page.click('button[type=submit]')]);
    await page.goto(base + doorPath);
    await look(page, 'phone', 'door');
    await Promise.all([page.waitForLoadState(),
        page.locator('ul.door button[value=present]').first().click()]);
    results.flows.door = await page.textContent('p.counts');
    await look(page, 'desktop', 'door-after');
    await context.close();
}
await browser.close();
console.log(JSON.stringify(results));
