/*
 * qr.c: a QR code as inline SVG (libqrencode), for a phone to scan a
 * link off a page.  One path of unit squares, black on white, with the
 * quiet zone the standard asks for; no style attribute, so the page's
 * Content-Security-Policy holds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "http_int.h"

#define QR_QUIET	4	/* modules of white around it */
#define QR_CACHE	64	/* codes kept: a member's page has a few */

/*
 * Encoding is most of the cost of a member's page, and the same member
 * sees the same links again: the SVG of the last codes is kept (by
 * text, under a lock: pages are served by many threads).
 */
static struct {
	char	*text;
	char	*svg;
	size_t	 len;
} qr_cache[QR_CACHE];
static size_t		qr_next;
static pthread_mutex_t	qr_mu = PTHREAD_MUTEX_INITIALIZER;

static int
qr_cached(struct buf *b, const char *text)
{
	size_t	i;
	int	hit = 0;

	pthread_mutex_lock(&qr_mu);
	for (i = 0; i < QR_CACHE && !hit; i++)
		if (qr_cache[i].text != NULL && strcmp(qr_cache[i].text,
		    text) == 0) {
			buf_append(b, qr_cache[i].svg, qr_cache[i].len);
			hit = 1;
		}
	pthread_mutex_unlock(&qr_mu);
	return hit;
}

static void
qr_keep(const char *text, const char *svg, size_t len)
{
	char	*t = strdup(text), *s = malloc(len);
	size_t	 i;

	if (t == NULL || s == NULL) {
		free(t);
		free(s);
		return;
	}
	memcpy(s, svg, len);
	pthread_mutex_lock(&qr_mu);
	i = qr_next++ % QR_CACHE;
	free(qr_cache[i].text);
	free(qr_cache[i].svg);
	qr_cache[i].text = t;
	qr_cache[i].svg = s;
	qr_cache[i].len = len;
	pthread_mutex_unlock(&qr_mu);
}

/*
 * Append text as a QR code in SVG, labelled for screen readers with
 * label.  -1 (nothing appended) if it cannot be encoded.
 */
int
qr_svg(struct buf *b, const char *text, const char *label)
{
	QRcode	*qr;
	size_t	 at;
	int	 x, y, run, w;

	html_raw_trusted(b, "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/"
	    "svg\" role=\"img\" aria-label=\"");
	html_text(b, label);
	html_raw_trusted(b, "\" ");
	if (qr_cached(b, text))
		return 0;
	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1)) == NULL) {
		html_raw_trusted(b, "></svg>");
		return -1;
	}
	at = b->len;
	w = qr->width + 2 * QR_QUIET;
	buf_printf(b, "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	    "shape-rendering=\"crispEdges\"><rect width=\"%d\" "
	    "height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", w, w,
	    w * 5, w * 5, w, w);
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x += run > 0 ? run : 1) {
			for (run = 0; x + run < qr->width &&
			    (qr->data[y * qr->width + x + run] & 1); run++)
				;
			if (run > 0)
				buf_printf(b, "M%d %dh%dv1h-%dz", x + QR_QUIET,
				    y + QR_QUIET, run, run);
		}
	buf_puts(b, "\"/></svg>");
	QRcode_free(qr);
	qr_keep(text, b->p + at, b->len - at);
	return 0;
}
