// Reads an iCalendar file with Mozilla's ical.js (Thunderbird's parser)
// and prints, as JSON, what it made of every VEVENT: UID, DTSTART in UTC,
// status, and its occurrences (RRULE and EXDATE applied) in [from, to);
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
for (const ve of cal.getAllSubcomponents('vevent')) {
  const ev = new ICAL.Event(ve);
  if (!ev.isRecurring() && ev.startDate.zone === ICAL.Timezone.localTimezone
      && !ev.startDate.isDate)
    throw new Error(`${ev.uid}: floating time, TZID not resolved`);
  const occ = [];
  if (ev.isRecurring()) {
    const it = ev.iterator();
    for (let t = it.next(), n = 0; t && n < 5000; t = it.next(), n++) {
      if (t.compare(to) >= 0) break;
      const d = ev.getOccurrenceDetails(t);
      if (d.endDate.compare(from) > 0) occ.push(utc(d.startDate));
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
    occurrences: occ,
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
