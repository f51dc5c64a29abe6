/* ical_int.h: what the iCalendar layer's files share. */
#ifndef QUORUM_ICAL_INT_H
#define QUORUM_ICAL_INT_H

#include <libical/ical.h>

#include "quorum/ical.h"

/* ical_time.c */
void		 ical_lock(void);
void		 ical_unlock(void);
icaltimezone	*ical_zone(const char *tzid);
int		 ical_time_from_local(const char *local, icaltimetype *);
void		 ical_time_to_local(icaltimetype, char *, size_t);

#endif
