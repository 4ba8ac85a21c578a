/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table memory for the agent (see dp.h): hugepage-backed rte_zmalloc once
 * EAL runs, so that workers' lookups hit few TLB entries; the libc heap
 * before, so that table code is unit tested without EAL.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_memory.h>

#include "dp.h"

static bool use_eal;

void
dp_mem_use_eal(bool on)
{
	use_eal = on;
}

void *
dp_zmalloc(size_t size, int socket)
{
	void *p;

	if (use_eal)
		return rte_zmalloc_socket(NULL, size, RTE_CACHE_LINE_SIZE,
					  socket < 0 ? SOCKET_ID_ANY : socket);
	p = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(size, RTE_CACHE_LINE_SIZE));
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void
dp_free(void *p)
{
	if (use_eal)
		rte_free(p);
	else
		free(p);
}
