/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: rtpgw-control's configuration file parser
 * (control/config.c): config_load on the input written to a memfd (read
 * through /proc/self/fd/N, as a path), then config_validate; and
 * config_next_hop_parse on the input's first line, as a route's next hop.
 *
 * Inputs with more than 24 regex repetition operators are skipped:
 * glibc's regcomp() needs time polynomial in the number of stacked
 * duplication operators ("^\t" and 105 '*': 2.3 s without ASan, found by
 * this target twice; see docs/RELIABILITY.md). Patterns come from the operator,
 * never from the network, and are at most 127 bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	struct config_next_hop nh;
	char err[CONFIG_ERR_MAX], path[64], line[CONFIG_URI_MAX * 2];
	size_t n;
	int fd;

	for (size_t i = 0, ops = 0; i < size; i++) {
		if (data[i] == '*' || data[i] == '+' || data[i] == '?' || data[i] == '{')
			if (++ops > 24)
				return 0;
	}
	n = 0;
	while (n < size && n < sizeof(line) - 1 && data[n] != '\n')
		n++;
	memcpy(line, data, n);
	line[n] = '\0';
	if (config_next_hop_parse(line, &nh) == 0 &&
	    memchr(nh.host, '\0', sizeof(nh.host)) == NULL)
		abort();

	fd = memfd_create("fuzz-config", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_init(&cfg);
	err[0] = '\0';
	if (config_load(&cfg, path, err) == 0)
		(void)config_validate(&cfg, err);
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	close(fd);
	return 0;
}
