// quorum's pages in Debian's chromium, driven by playwright-core: each
// page at desktop and phone size, screenshotted, checked by axe-core,
// and every request it makes counted by origin.  Prints JSON for the
// Python test (test_browser.py) to judge.
//   node run.mjs BASE LINK1 LINK2 OUTDIR
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const [base, link1, link2, outdir, repLink, doorPath, officialLink, maildir,
    link1b] = process.argv.slice(2);
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
    const wide = await page.evaluate(() =>
        document.documentElement.scrollWidth > window.innerWidth);
    results.pages.push({ name, size, url: page.url(), wide,
        violations: r.violations.map(v => ({ id: v.id, impact: v.impact,
            nodes: v.nodes.length, help: v.help })) });
}

// a page at phone size, then at desktop size, then back
async function both(page, name) {
    const phone = page.viewportSize();
    await look(page, 'phone', name);
    await page.setViewportSize({ width: 1280, height: 900 });
    await look(page, 'desktop', name);
    await page.setViewportSize(phone);
}

for (const [size, viewport, link] of [
    ['desktop', { width: 1280, height: 900 }, link1],
    ['phone', { width: 390, height: 844 }, link2]]) {
    const context = await browser.newContext({ viewport });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'],
        { origin: base });
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
    // the QR code as the browser draws it, for zbarimg to read
    await page.locator('section.calendar details summary').first().click();
    await page.locator('section.calendar svg.qr').first().screenshot({
        path: path.join(outdir, `qr-${size}.png`) });
    // the copy button puts the https link on the clipboard
    await page.locator('section.calendar input[data-copy] + button').first()
        .click();
    flow.copied = await page.evaluate(() => navigator.clipboard.readText());
    const going = page.locator('article.meeting', { hasText: "Members' briefing" })
        .locator('button[value=accepted]');
    if (await going.count()) {
        await Promise.all([page.waitForURL(/\/me/), going.click()]);
        flow.answer = await page.locator('article.meeting',
            { hasText: "Members' briefing" }).locator('p.answer').textContent();
    }
    // a full meeting: the answer lands on the waiting list
    const full = page.locator('article.meeting', { hasText: 'Full workshop' });
    await Promise.all([page.waitForURL(/\/me/),
        full.locator('button[value=accepted]').click()]);
    flow.waiting = await page.locator('article.meeting',
        { hasText: 'Full workshop' }).locator('p.answer').textContent();
    // a POST without its CSRF token is refused
    flow.noCsrf = (await page.request.post(base + '/me/reset', {
        form: { csrf: '' }, maxRedirects: 0 })).status();
    await Promise.all([page.waitForURL(/\/me/),
        page.click('form[action="/me/reset"] button')]);
    flow.reset = await page.textContent('[role=status]');
    flow.copyAfterReset = await page.inputValue('section.calendar input[readonly]');
    // the old link is gone at once
    flow.oldLink = (await page.request.get(flow.copy)).status();
    flow.newLink = (await page.request.get(flow.copyAfterReset)).status();
    // the sign-in link, used a second time, is refused
    await page.goto(link);
    await page.click('main button[type=submit]');
    flow.again = await page.textContent('main');
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
    await both(page, 'door');
    const door = {};
    // a toggle answers without loading the page again
    let loads = 0;
    page.on('load', () => loads++);
    const t0 = Date.now();
    const others = 'ul.door li:not(:has-text("Priya"))';
    await page.locator(others + ' button[name=present]').first().click();
    await page.waitForFunction(() =>
        document.getElementById('queue').textContent === 'All changes saved.');
    door.toggleMs = Date.now() - t0;
    door.counts = await page.textContent('p.counts');
    // no signal: two more are kept on the phone, shown, and counted
    await context.setOffline(true);
    await page.locator(others + ' button[name=present]').first().click();
    await page.locator(others + ' button[name=present]').first().click();
    await page.waitForTimeout(300);
    door.offline = await page.textContent('#queue');
    door.offlineCounts = await page.textContent('p.counts');
    await both(page, 'door-offline');
    // the signal returns: sent, in order, once each
    await context.setOffline(false);
    await page.waitForFunction(() =>
        document.getElementById('queue').textContent === 'All changes saved.',
        null, { timeout: 20000 });
    const json = await (await page.request.get(base + doorPath,
        { headers: { Accept: 'application/json' } })).json();
    door.serverPresent = json.present;
    door.loads = loads;
    await both(page, 'door-after');
    // the self check-in code, shown by the rep
    await page.goto(base + doorPath + '/qr');
    await both(page, 'door-qr');
    door.hereLink = (await page.textContent('p.hint')).replace('Or open: ', '');
    results.flows.door = door;
    await context.close();
    // a member scans it with her own phone
    const member = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const mp = await member.newPage();
    await mp.goto(link1b);
    await Promise.all([mp.waitForURL(base + '/me'),
        mp.click('button[type=submit]')]);
    await mp.goto(door.hereLink);
    await both(mp, 'here');
    await mp.click('main button[type=submit]');
    await mp.waitForSelector('h1:text("You are checked in")');
    await both(mp, 'here-done');
    const after = await (await mp.request.get(base + doorPath,
        { headers: { Accept: 'application/json' } }));
    door.memberSeesDoor = after.status();
    await member.close();
}
// an official, on a phone: a refused form, a repeating meeting, its
// notes and an action, the members' list, a CSV import, an invitation
{
    const phone = { width: 390, height: 844 };
    const context = await browser.newContext({ viewport: phone });
    const page = await context.newPage();
    page.on('request', (req) => {
        results.requests++;
        if (!req.url().startsWith(base + '/')) results.foreign.push(req.url());
    });
    const flow = {};
    await page.goto(officialLink);
    await Promise.all([page.waitForURL(base + '/me'),
        page.click('button[type=submit]')]);
    await Promise.all([page.waitForURL(base + '/events/new'),
        page.click('a[href="/events/new"]')]);
    await both(page, 'event-new');
    const day = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10);
    await page.fill('#f-title', 'Branch training: <b>new</b> rules');
    await page.selectOption('#f-kind', 'workshop');
    await page.check('[id="f-aud.all-members"]');
    await page.fill('#f-date', day);
    await page.fill('#f-start_time', '10:00');
    await page.fill('#f-end_time', '09:00');
    await page.selectOption('#f-repeat', 'weekly');
    await page.fill('#f-repeat_count', '3');
    await page.fill('#f-capacity', '20');
    await Promise.all([page.waitForLoadState(),
        page.click('form[action="/events/new"] button[type=submit]')]);
    flow.refused = await page.textContent('.field.bad .error');
    flow.refusedFocus = await page.evaluate(() => document.activeElement.id);
    flow.kept = await page.inputValue('#f-title');
    flow.keptRepeat = await page.inputValue('#f-repeat');
    await both(page, 'event-refused');
    await page.fill('#f-end_time', '12:00');
    await Promise.all([page.waitForURL(/\/events\/\d+\/edit\?saved=1$/),
        page.click('form[action="/events/new"] button[type=submit]')]);
    flow.saved = await page.textContent('[role=status]');
    flow.savedRepeat = await page.inputValue('#f-repeat');
    const id = page.url().match(/events\/(\d+)/)[1];
    await both(page, 'event-edit');
    const feed = await (await page.request.get(base +
        '/feeds/all-members.ics')).text();
    const unfolded = feed.replace(/\r\n[ \t]/g, '');
    flow.inFeed = unfolded.includes('SUMMARY:Branch training: <b>new</b> rules')
        && unfolded.includes('RRULE:FREQ=WEEKLY;COUNT=3');
    // one date of the series: moved alone from the meeting's page
    await page.goto(base + `/events/${id}`);
    await both(page, 'event-series');
    await Promise.all([page.waitForURL(/\/dates\//),
        page.locator('ul.dates a').nth(1).click()]);
    await both(page, 'event-date');
    await page.fill('#f-start_time', '14:00');
    await page.fill('#f-end_time', '16:00');
    await Promise.all([page.waitForURL(/done=save$/),
        page.click('button[value=save]')]);
    flow.dateSaved = await page.textContent('[role=status]');
    await page.goto(base + `/events/${id}`);
    flow.dateMoved = await page.textContent('ul.dates li:nth-child(2)');
    await page.goto(base + `/events/${id}/notes`);
    await page.fill('#f-text', 'Welcome and apologies\nBook the room for ' +
        'the next session');
    await Promise.all([page.waitForURL(/notes#notes$/),
        page.click('form[action$="/notes"] button[type=submit]')]);
    const line = page.locator('ol.lines li').nth(1);
    await line.locator('summary').click();
    await line.locator('input[name=owner]').fill('N-1003');
    await Promise.all([page.waitForURL(/notes#actions$/),
        line.locator('button[type=submit]').click()]);
    flow.action = await page.textContent('article.action');
    await both(page, 'notes');
    // find a time for two people, and make the meeting from it
    await page.goto(base + '/me');
    await Promise.all([page.waitForURL(/\/schedule$/),
        page.click('a[href="/schedule"]')]);
    await page.fill('#f-people', 'N-1001, N-1003');
    await page.selectOption('#f-duration', 'PT2H');
    await Promise.all([page.waitForURL(/\/schedule\?/),
        page.click('main form button[type=submit]')]);
    await both(page, 'schedule');
    flow.slots = await page.locator('ul.slots li').count();
    // ask them with a poll, from the same page
    await page.fill('#poll-title', 'Reps planning');
    await Promise.all([page.waitForURL(/\/polls\/\d+\?sent=1$/),
        page.click('form[action="/polls"] button')]);
    await both(page, 'poll');
    flow.pollHeads = await page.locator('table.poll thead th').count();
    await page.goBack();
    await Promise.all([page.waitForURL(/\/events\/new\?/),
        page.locator('ul.slots a').first().click()]);
    flow.prefilled = [await page.inputValue('#f-hosts'),
        await page.inputValue('#f-start_time'),
        await page.inputValue('#f-end_time')];
    // facility time, and a time-off request (the official hosts duties)
    await page.goto(base + '/reports/facility-time');
    await both(page, 'facility-time');
    flow.facilityChart = await page.locator('figure.chart svg').count();
    await page.goto(base + `/events/${id}/time-off`);
    await both(page, 'time-off');
    flow.timeOff = await page.textContent('pre.letter');
    await page.goto(base + '/members');
    await both(page, 'members');
    await page.setInputFiles('#f-file', { name: 'members.csv',
        mimeType: 'text/csv', buffer: Buffer.from('name,email,number\n' +
        'Ann Lee,ann.lee@napo.example,N-4001\nNo Mail,,N-4002\n') });
    await Promise.all([page.waitForLoadState(),
        page.click('form[action="/members/import"] button')]);
    flow.imported = await page.textContent('#report');
    await both(page, 'members-import');
    const joe = page.locator('ul.members li', { hasText: 'Joe Marsh' });
    await Promise.all([page.waitForURL(/done=invited/),
        joe.locator('button[value=invite]').click()]);
    flow.invitedNotice = await page.textContent('[role=status]');
    let link = null;
    for (let i = 0; i < 100 && !link; i++) {
        for (const dir of ['new', 'cur']) {
            const d = path.join(maildir, dir);
            if (!fs.existsSync(d)) continue;
            for (const f of fs.readdirSync(d)) {
                const text = fs.readFileSync(path.join(d, f), 'utf8');
                const m = text.match(/\/signin\/[A-Za-z0-9_-]{43}/);
                if (text.includes('joe.marsh@napo.example') && m)
                    link = m[0];
            }
        }
        if (!link) await new Promise((ok) => setTimeout(ok, 200));
    }
    await context.close();
    // Sam answers the poll from his e-mail, on his phone
    let pollLink = null;
    for (let i = 0; i < 100 && !pollLink; i++) {
        for (const dir of ['new', 'cur']) {
            const d = path.join(maildir, dir);
            if (!fs.existsSync(d)) continue;
            for (const f of fs.readdirSync(d)) {
                const text = fs.readFileSync(path.join(d, f), 'utf8');
                const m = text.match(/\/polls\/[A-Za-z0-9_-]{43}/);
                if (text.includes('sam.okafor@napo.example') && m)
                    pollLink = m[0];
            }
        }
        if (!pollLink) await new Promise((ok) => setTimeout(ok, 200));
    }
    const samContext = await browser.newContext({ viewport: phone });
    const sam = await samContext.newPage();
    sam.on('request', (req) => {
        results.requests++;
        if (!req.url().startsWith(base + '/')) results.foreign.push(req.url());
    });
    await sam.goto(base + pollLink);
    await both(sam, 'poll-answer');
    await sam.check('[id="o1-yes"]');
    await sam.check('[id="o2-if_need_be"]');
    await Promise.all([sam.waitForLoadState(),
        sam.click('main button[type=submit]')]);
    flow.pollSaved = await sam.textContent('[role=status]');
    await samContext.close();
    // Joe opens the link from his e-mail on his own phone
    const joeContext = await browser.newContext({ viewport: phone });
    const joePage = await joeContext.newPage();
    await joePage.goto(base + link);
    await Promise.all([joePage.waitForURL(base + '/me'),
        joePage.click('button[type=submit]')]);
    flow.joe = await joePage.textContent('h1 + p');
    flow.joeSubscribe = await joePage.getAttribute('section.calendar a.button',
        'href');
    flow.joeCopy = await joePage.inputValue('section.calendar input[readonly]');
    flow.joeLinks = await joePage.$$eval('section.calendar a',
        (as) => as.map((a) => a.href));
    await joeContext.close();
    results.flows.official = flow;
}
await browser.close();
console.log(JSON.stringify(results));
