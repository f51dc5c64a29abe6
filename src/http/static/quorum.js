// quorum.js: what a script adds to pages that work without one.
//  - A "Copy" button beside each link to copy.
//  - The door page: "Present", "Undo", apologies and walk-ins answer at
//    once, without loading the page again.  Each change gets a key and
//    waits in a queue on the phone (localStorage) until the server has
//    it, so a rep in a basement with no signal carries on; the queue is
//    shown, and sent in order when the signal returns.  The server
//    applies a change sent twice only once.  Other reps' changes come
//    in every 15 seconds.
'use strict';

(function () {
    // copy buttons
    for (const input of document.querySelectorAll('input[data-copy]')) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'plain';
        b.textContent = 'Copy';
        b.setAttribute('aria-label', 'Copy the link');
        b.addEventListener('click', async () => {
            try {
                await navigator.clipboard.writeText(input.value);
            } catch (e) {
                input.select();
                document.execCommand('copy');
            }
            b.textContent = 'Copied';
            setTimeout(() => { b.textContent = 'Copy'; }, 2000);
        });
        input.insertAdjacentElement('afterend', b);
    }

    const list = document.querySelector('ul.door');
    if (!list) return;
    const action = location.pathname;
    const store = 'quorum-door:' + action + location.search;
    const status = document.getElementById('queue');
    const counts = document.querySelector('p.counts');
    let queue = [];
    let sending = false;
    let failed = null;

    try { queue = JSON.parse(localStorage.getItem(store) || '[]'); }
    catch (e) { queue = []; }

    function newKey() {
        const a = new Uint8Array(16);
        crypto.getRandomValues(a);
        return Array.from(a, (x) => x.toString(16).padStart(2, '0')).join('');
    }

    function save() {
        try { localStorage.setItem(store, JSON.stringify(queue)); }
        catch (e) { /* private mode: the queue lives as long as the page */ }
    }

    function show() {
        if (failed) {
            status.hidden = false;
            status.className = 'queue error';
            status.textContent = failed;
        } else if (queue.length) {
            status.hidden = false;
            status.className = 'queue waiting';
            status.textContent = (navigator.onLine ? 'Sending ' : 'No signal: ') +
                queue.length + (queue.length === 1 ? ' change' : ' changes') +
                (navigator.onLine ? '…' : ' kept on this phone, sent when the signal returns.');
        } else {
            status.hidden = false;
            status.className = 'queue';
            status.textContent = 'All changes saved.';
        }
    }

    // one row shown as its state says, with the button that fits it
    function paint(li, state, reason) {
        const s = li.querySelector('.state');
        if (s) s.textContent = state + (reason ? ': ' + reason : '');
        const b = li.querySelector('button[name=present],button[name=undo]');
        if (!b) return;
        const here = state.startsWith('present');
        b.name = here ? 'undo' : 'present';
        b.textContent = here ? 'Undo' : 'Present';
        b.className = here ? 'plain' : '';
        const d = li.querySelector('details');
        if (d) d.hidden = here || state.startsWith('apologies');
    }

    function stateOf(member) {
        const li = list.querySelector('li[data-member="' + member + '"]');
        return li ? li.querySelector('.state').textContent : '';
    }

    // the counts: the server's last word, and what is still queued
    const m = counts ? counts.textContent.match(
        /(\d+) present of (\d+) · (\d+) apologies(?: · quorum (\d+))?/) : null;
    let server = m ? { present: +m[1], total: +m[2], apologies: +m[3] } :
        { present: 0, total: 0, apologies: 0 };
    const required = m && m[4] ? +m[4] : 0;

    function paintCounts() {
        if (!counts) return;
        let present = server.present, apologies = server.apologies;
        for (const q of queue) {
            present += q.delta ? q.delta.present : 0;
            apologies += q.delta ? q.delta.apologies : 0;
        }
        const strong = document.createElement('strong');
        strong.textContent = present + ' present';
        const parts = [strong, ' of ' + server.total + ' · ' + apologies +
            ' apologies'];
        if (required) {
            const r = document.createElement('strong');
            r.textContent = present >= required ? 'reached' : 'not reached';
            parts.push(' · quorum ' + required + ': ', r);
        }
        counts.replaceChildren(...parts);
    }

    // what the server says now, with what is still queued on top
    function apply(d) {
        let missing = false;
        for (const row of d.rows) {
            const li = list.querySelector('li[data-member="' + row.member + '"]');
            if (li) paint(li, row.state, row.reason);
            else missing = true;
        }
        server = { present: d.present, apologies: d.apologies,
            total: d.total === undefined ? server.total : d.total };
        for (const q of queue) optimistic(q);
        paintCounts();
        if (missing && !queue.length && !new URLSearchParams(location.search).get('q'))
            location.reload();      // a walk-in joined the list
    }

    function optimistic(item) {
        const li = list.querySelector('li[data-member="' + item.fields.member + '"]');
        if (!li) return;
        if (item.fields.do === 'present') paint(li, 'present');
        else if (item.fields.do === 'undo') paint(li, 'not here yet');
        else if (item.fields.do === 'apologies') paint(li, 'apologies', item.fields.reason);
    }

    // how a change moves the counts, from the row's state before it
    function delta(fields) {
        const was = stateOf(fields.member);
        const d = { present: 0, apologies: 0 };
        if (!was) return d;
        const wasPresent = was.startsWith('present');
        const wasApologies = was.startsWith('apologies');
        if (fields.do === 'present' && !wasPresent) d.present = 1;
        if (fields.do === 'undo' && wasPresent) d.present = -1;
        if (fields.do === 'apologies' && !wasApologies) d.apologies = 1;
        if (fields.do !== 'apologies' && wasApologies) d.apologies = -1;
        if (fields.do === 'apologies' && wasPresent) d.present = -1;
        return d;
    }

    async function send() {
        if (sending) return;
        sending = true;
        while (queue.length) {
            const item = queue[0];
            let r;
            try {
                r = await fetch(action, {
                    method: 'POST', credentials: 'same-origin',
                    headers: { 'Accept': 'application/json',
                        'Content-Type': 'application/x-www-form-urlencoded' },
                    body: new URLSearchParams(item.fields)
                });
            } catch (e) {
                break;              // no signal: keep it, try again later
            }
            if (r.status >= 500 || r.status === 429) break;
            queue.shift();
            save();
            if (r.ok) {
                failed = null;
                apply(await r.json());
            } else {
                let why = 'A change was refused';
                try { why = (await r.json()).error.message; } catch (e) { /* */ }
                failed = 'Not saved: ' + why + '.';
                refresh();
            }
        }
        sending = false;
        show();
    }

    async function refresh() {
        if (sending || queue.length) return;
        try {
            const r = await fetch(action + location.search, {
                credentials: 'same-origin',
                headers: { 'Accept': 'application/json' } });
            if (r.ok) apply(await r.json());
        } catch (e) { /* offline: the next try */ }
    }

    document.addEventListener('submit', (e) => {
        const form = e.target;
        if (form.method !== 'post' || new URL(form.action).pathname !== action)
            return;
        e.preventDefault();
        let fields;
        if (form.classList.contains('door')) {
            // the list is one form: send the row's change, not all of it
            const b = e.submitter;
            if (!b || !b.value) return;
            fields = { csrf: form.elements.csrf.value,
                occurrence: form.elements.occurrence.value,
                do: b.name, member: b.value };
            const why = form.elements['why-' + b.value];
            if (b.name === 'apologies' && why && why.value) fields.reason = why.value;
        } else {
            fields = Object.fromEntries(new FormData(form));
        }
        fields.key = newKey();
        const item = { fields, delta: fields.member ? delta(fields) :
            { present: 0, apologies: 0 } };
        queue.push(item);
        save();
        failed = null;
        optimistic(item);
        paintCounts();
        if (fields.do === 'walkin') form.reset();
        const d = e.submitter && e.submitter.closest('details');
        if (d) d.open = false;
        show();
        send();
    });

    window.addEventListener('online', send);
    window.addEventListener('offline', show);
    setInterval(() => { if (queue.length) send(); else refresh(); }, 15000);
    setInterval(() => { if (queue.length) send(); }, 3000);
    for (const q of queue) optimistic(q);
    paintCounts();
    show();
    send();
})();
