/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: rtpgwctl's HTTP/1.1 response parser
 * (tools/rtpgwctl/http_get.c, http_response_parse): status line, headers,
 * Content-Length, chunked coding, interim 1xx responses, as read from
 * rtpgw-control or anything listening on its address. The response
 * arrives in pieces as from recv(): byte 0 is the piece size (1..256),
 * byte 1 bit 0 selects a small size limit; the parser is called after each
 * piece, as http_get() does, and once more at EOF. Checks: a complete
 * response's body lies inside the buffer, NUL-terminated.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_get.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_response r;
	char err[HTTP_GET_ERR_MAX];
	size_t step, max, len = 0;
	bool eof = false;
	char *buf;
	int rc = 0;

	if (size < 2)
		return 0;
	step = (size_t)data[0] + 1;
	max = (data[1] & 1) ? 256 : HTTP_GET_MAX;
	data += 2;
	size -= 2;
	/* http_get() keeps one byte free past what it received */
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	http_response_init(&r);
	while (rc == 0) {
		if (len == size)
			eof = true;
		len = size - len > step ? len + step : size;
		rc = http_response_parse(&r, buf, len, eof, max, err, sizeof(err));
		if (rc == 0 && eof)
			abort(); /* at EOF it must decide */
	}
	if (rc == 1) {
		if (r.status < 100 || r.status > 599 || r.body < buf || r.body > buf + len ||
		    r.body_len > (size_t)(buf + len - r.body) || r.body[r.body_len] != '\0')
			abort();
	}
	free(buf);
	return 0;
}
