/* gzip.c: bytes as gzip (zlib), for feeds and pages. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "quorum/util.h"

/*
 * The gzip of len bytes of in at level (1 fast .. 9 small), into *out
 * (the caller frees it); -1 when it cannot be made.
 */
int
gzip_bytes(const char *in, size_t len, int level, char **out,
    size_t *outlen)
{
	z_stream	z;
	size_t		cap = deflateBound(NULL, len) + 64;
	char		*p;

	memset(&z, 0, sizeof(z));
	if ((p = malloc(cap)) == NULL)
		return -1;
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		free(p);
		return -1;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)p;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(p);
		return -1;
	}
	*outlen = z.total_out;
	deflateEnd(&z);
	/* deflateBound() is the size of the text: keep what it took */
	if ((*out = realloc(p, *outlen > 0 ? *outlen : 1)) == NULL)
		*out = p;
	return 0;
}
