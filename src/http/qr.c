/*
 * qr.c: a QR code as inline SVG (libqrencode), for a phone to scan a
 * link off a page.  One path of unit squares, black on white, with the
 * quiet zone the standard asks for; no style attribute, so the page's
 * Content-Security-Policy holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "http_int.h"

#define QR_QUIET	4	/* modules of white around it */

/*
 * Append text as a QR code in SVG, labelled for screen readers with
 * label.  -1 (nothing appended) if it cannot be encoded.
 */
int
qr_svg(struct buf *b, const char *text, const char *label)
{
	QRcode	*qr;
	int	 x, y, run, w;

	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1)) == NULL)
		return -1;
	w = qr->width + 2 * QR_QUIET;
	buf_printf(b, "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-label=\"", w, w, w * 5, w * 5);
	html_text(b, label);
	buf_printf(b, "\" shape-rendering=\"crispEdges\"><rect width=\"%d\" "
	    "height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", w, w);
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
	return 0;
}
