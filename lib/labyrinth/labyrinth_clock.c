/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The coarse clock of the owner records' grab time (see LAB_CLOCK_US in
 * labyrinth_priv.h): an EAL alarm refreshes labyrinth_fast_clock (read
 * inline by labyrinth_fast.h) every LAB_CLOCK_US.
 */

#include <stdint.h>

#include <rte_alarm.h>
#include <rte_cycles.h>

#include "labyrinth_priv.h"

uint32_t labyrinth_fast_clock;
static uint32_t clock_started;

static void
clock_tick(void *arg __rte_unused)
{
	/* Relaxed: grabs copy it into owner records as a timestamp; nothing
	 * is published through it, and a reader a tick behind is within the
	 * documented resolution. */
	lab_store(&labyrinth_fast_clock,
		(uint32_t)(rte_rdtsc() >> LAB_STAMP_SHIFT), LAB_RELAXED);
	if (rte_eal_alarm_set(LAB_CLOCK_US, clock_tick, NULL) != 0)
		/* Relaxed: lets a later create or lookup try again. */
		lab_store(&clock_started, 0, LAB_RELAXED);
}

void
lab_clock_start(void)
{
	/* Relaxed: only one caller must arm the alarm; the exchange's
	 * atomicity decides which, and the clock publishes no data. */
	if (lab_xchg(&clock_started, 1, LAB_RELAXED) == 0)
		clock_tick(NULL);
}
