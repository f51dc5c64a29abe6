// Reads an iCalendar file with Mozilla's ical.js (Thunderbird's parser)
// and prints, as JSON, what it made of every VEVENT: UID, DTSTART in UTC,
// status, and its occurrences (RRULE, EXDATE and RECURRENCE-ID applied)
// in [from, to), a date cancelled alone ending in '!';
// and every VTODO's UID, status, due date and RELATED-TO.
import fs from 'node:fs';
import ICAL from 'ical.js';

const [file, fromIso, toIso] = process.argv.slice(2);
const from = ICAL.Time.fromJSDate(new Date(fromIso), true);
const to = ICAL.Time.fromJSDate(new Date(toIso), true);
const cal = new ICAL.Component(ICAL.parse(fs.readFileSync(file, 'utf8')));

for (const vtz of cal.getAllSubcomponents('vtimezone'))
  ICAL.TimezoneService.register(vtz);

const utc = (t) => t.isDate ? t.toString() :
  t.toJSDate().toISOString().replace('.000Z', 'Z');
const out = { name: cal.getFirstPropertyValue('x-wr-calname'), events: [] };
// a date changed on its own (RECURRENCE-ID) is an exception of its series
const vevents = cal.getAllSubcomponents('vevent');
const exceptions = vevents.filter((ve) => ve.hasProperty('recurrence-id'));
for (const ve of vevents) {
  if (ve.hasProperty('recurrence-id')) continue;
  const ev = new ICAL.Event(ve);
  for (const x of exceptions)
    if (x.getFirstPropertyValue('uid') === ev.uid)
      ev.relateException(new ICAL.Event(x));
  if (!ev.isRecurring() && ev.startDate.zone === ICAL.Timezone.localTimezone
      && !ev.startDate.isDate)
    throw new Error(`${ev.uid}: floating time, TZID not resolved`);
  const occ = [];
  if (ev.isRecurring()) {
    const it = ev.iterator();
    for (let t = it.next(), n = 0; t && n < 5000; t = it.next(), n++) {
      if (t.compare(to) >= 0) break;
      const d = ev.getOccurrenceDetails(t);
      // a date cancelled alone is marked, as the API lists it
      const st = d.item.component.getFirstPropertyValue('status');
      if (d.endDate.compare(from) > 0)
        occ.push(utc(d.startDate) + (st === 'CANCELLED' ? '!' : ''));
    }
  } else if (ev.endDate.compare(from) > 0 && ev.startDate.compare(to) < 0) {
    occ.push(utc(ev.startDate));
  }
  out.events.push({
    uid: ev.uid,
    start_utc: utc(ev.startDate),
    all_day: ev.startDate.isDate,
    status: ve.getFirstPropertyValue('status'),
    sequence: ev.sequence,
    summary: ev.summary,
    occurrences: occ.sort(),
  });
}
out.todos = cal.getAllSubcomponents('vtodo').map((vt) => ({
  uid: vt.getFirstPropertyValue('uid'),
  summary: vt.getFirstPropertyValue('summary'),
  status: vt.getFirstPropertyValue('status'),
  due: vt.getFirstPropertyValue('due') ?
    vt.getFirstPropertyValue('due').toString() : null,
  related_to: vt.getFirstPropertyValue('related-to'),
}));
console.log(JSON.stringify(out));
