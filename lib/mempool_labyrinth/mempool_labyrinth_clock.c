/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The coarse clock of the hold records' dequeue time
 * (mempool_labyrinth_priv.h), mpl_clock: the TSC >>
 * LABYRINTH_MEMPOOL_STAMP_SHIFT, refreshed every CLOCK_US by an EAL alarm
 * (the interrupt thread) that the first pool alloc of this process arms,
 * so that a dequeue reads a variable instead of the TSC (rdtsc costs about
 * 35 ns on this virtualised x86). 0 until armed: a process that dequeues
 * from pools it did not create (a secondary) reads the TSC itself, once
 * per dequeue call (clock_now() in mempool_labyrinth.c).
 */

#include <stdint.h>

#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_cycles.h>

#include "labyrinth_atomic_priv.h"
#include "mempool_labyrinth_drv_priv.h"

#define CLOCK_US 1000
uint32_t mpl_clock;
static uint32_t clock_armed;

static void
clock_tick(void *arg __rte_unused)
{
	/* Relaxed: dequeues copy it into hold records as a timestamp; it
	 * publishes nothing, and a reader a tick behind is within the
	 * documented resolution. */
	lab_store(&mpl_clock, (uint32_t)(rte_rdtsc() >>
			LABYRINTH_MEMPOOL_STAMP_SHIFT), LAB_RELAXED);
	if (rte_eal_alarm_set(CLOCK_US, clock_tick, NULL) != 0)
		/* Relaxed: lets the next alloc try again. */
		lab_store(&clock_armed, 0, LAB_RELAXED);
}

/* Control path (alloc): arm the clock once per process. */
void
mpl_clock_start(void)
{
	/* Relaxed: the exchange only decides which caller arms the alarm;
	 * the clock publishes no data. */
	if (lab_xchg(&clock_armed, 1, LAB_RELAXED) == 0)
		clock_tick(NULL);
}
