/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The poll-mode workers. A worker never sleeps: no locks, no blocking
 * system calls, no rte_delay_*, no stdio, no malloc. It polls its rx
 * queues, forwards, and counts. When the mbuf pool is empty the PMD simply
 * returns fewer packets (counted by the PMD as rx_nombuf); when no page can
 * be grabbed (page-copy) the packet is dropped and counted; both recover
 * by themselves as soon as buffers come back.
 *
 * Each (port, queue) a worker polls is a slot with its own tx buffer for
 * the peer port's tx queue of the same index; no other lcore uses that tx
 * queue (fwd_port.c, map_lcores), so tx needs no lock. The buffer is sent
 * when it holds a burst, or every drain_us (TSC based), as in l2fwd.
 */

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_memcpy.h>
#include <rte_memory.h>

#include "fwd_priv.h"

/* Add to one of this lcore's counters. */
static __rte_always_inline void
counter_add(uint64_t *c, uint64_t n)
{
	/*
	 * Only the owning lcore writes a counter, so the plain read of *c
	 * sees its own last store. The relaxed store only has to be
	 * untorn for the relaxed loads of the main lcore and telemetry
	 * (fwd_stats.c, fwd_snapshot); it publishes no other data, and a
	 * reader may see a value up to one burst old.
	 */
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static __rte_always_inline void
slot_send(struct fwd_slot *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent;

	sent = rte_eth_tx_burst(s->tx_port, s->tx_queue, pkts, n);
	if (unlikely(sent < n)) {
		/* No retry: a full tx ring is a drop, as in l2fwd. */
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		counter_add(&s->c.dropped, n - sent);
	}
	counter_add(&s->c.tx, sent);
}

static __rte_always_inline void
slot_flush(struct fwd_slot *s)
{
	if (s->nb_pending != 0) {
		slot_send(s, s->pending, s->nb_pending);
		s->nb_pending = 0;
	}
}

/* Queue n packets (n <= burst) for tx; send once a burst is gathered. */
static __rte_always_inline void
slot_tx(struct fwd_slot *s, struct rte_mbuf **pkts, uint16_t n,
		uint16_t burst)
{
	if (n == 0)
		return;
	if (s->nb_pending == 0 && n == burst) {
		/* A full burst and nothing waiting: send it as it is. */
		slot_send(s, pkts, n);
		return;
	}
	/* nb_pending < burst and n <= burst: fits in 2 * FWD_MAX_BURST */
	memcpy(&s->pending[s->nb_pending], pkts, n * sizeof(*pkts));
	s->nb_pending += n;
	if (s->nb_pending >= burst)
		slot_flush(s);
}

/*
 * Swap the Ethernet destination and source (bytes 0-5 and 6-11) with one
 * 8-byte and one 4-byte load and store: d0..d5 s0..s5 -> s0..s5 d0..d5.
 * Little-endian x86/Arm: byte i of the 8-byte word is bits 8i..8i+7.
 */
static __rte_always_inline void
macswap_one(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint64_t a, d, src;
	uint32_t b;

	memcpy(&a, p, sizeof(a));		/* d0..d5 s0 s1 */
	memcpy(&b, p + sizeof(a), sizeof(b));	/* s2..s5 */
	d = a & UINT64_C(0xffffffffffff);
	src = (a >> 48) | ((uint64_t)b << 16);
	a = src | (d << 48);			/* s0..s5 d0 d1 */
	b = (uint32_t)(d >> 16);		/* d2..d5 */
	memcpy(p, &a, sizeof(a));
	memcpy(p + sizeof(a), &b, sizeof(b));
}

/*
 * No software prefetch: the packets are independent, so the out-of-order
 * core overlaps their header misses by itself; on net_null a prefetch
 * 4 packets ahead cost 5% (124 against 130 Mpps per worker CPU-second).
 */
static __rte_always_inline void
macswap_burst(struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (likely(rte_pktmbuf_data_len(pkts[i]) >=
				sizeof(struct rte_ether_hdr)))
			macswap_one(pkts[i]);
	}
}

/* Extbuf free callback: give the page back, from whichever lcore or
 * thread frees the mbuf (remote free). A rejected free is counted by the
 * labyrinth itself (bad_frees, shown in the statistics). */
void
fwd_page_free_cb(void *addr, void *opaque)
{
	(void)labyrinth_free_page(opaque, addr);
}

enum copy_result {
	COPY_OK,
	COPY_NO_PAGE,
	COPY_NO_MBUF,
	COPY_TOO_BIG,
};

/*
 * page-copy: grab a page (LABYRINTH_GFP_ATOMIC: may dip into the reserve,
 * never waits), copy the packet into it after a headroom, put the extbuf
 * shared info at the end of the page and attach the page to the mbuf.
 * The page is freed by fwd_page_free_cb when the mbuf is freed, wherever
 * transmission completes. On success *pm is the mbuf to send.
 */
static __rte_always_inline enum copy_result
page_copy_one(struct rte_mbuf **pm, struct rte_mempool *mp,
		struct labyrinth *lab, uint32_t page_size, uint32_t max_len)
{
	struct rte_mbuf *m = *pm, *t;
	struct rte_mbuf_ext_shared_info *shinfo;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	uint16_t buf_len = (uint16_t)page_size;
	const void *src;
	char *dst;
	void *page;

	if (unlikely(len > max_len))
		return COPY_TOO_BIG;
	page = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC);
	if (unlikely(page == NULL))
		return COPY_NO_PAGE;
	/* Only a direct mbuf we alone hold can take the page itself. */
	if (likely(RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1)) {
		t = m;
	} else {
		t = rte_pktmbuf_alloc(mp);
		if (unlikely(t == NULL)) {
			(void)labyrinth_free_page(lab, page);
			return COPY_NO_MBUF;
		}
	}
	shinfo = rte_pktmbuf_ext_shinfo_init_helper(page, &buf_len,
			fwd_page_free_cb, lab);
	dst = (char *)page + RTE_PKTMBUF_HEADROOM;
	src = rte_pktmbuf_read(m, 0, len, dst);
	if (src != dst)
		rte_memcpy(dst, src, len);
	if (t == m) {
		if (unlikely(m->next != NULL)) {
			rte_pktmbuf_free(m->next);
			m->next = NULL;
			m->nb_segs = 1;
		}
	} else {
		t->port = m->port;
		t->packet_type = m->packet_type;
		t->hash = m->hash;
		rte_pktmbuf_free(m);
	}
	rte_pktmbuf_attach_extbuf(t, page, labyrinth_page_iova(lab, page),
			buf_len, shinfo);
	t->data_off = RTE_PKTMBUF_HEADROOM;
	t->data_len = (uint16_t)len;
	t->pkt_len = len;
	*pm = t;
	return COPY_OK;
}

/* Copy a burst into pages; drop (and count) what cannot be copied.
 * Returns the number of packets left in pkts[], in order. */
static __rte_always_inline uint16_t
page_copy_burst(struct fwd_slot *s, struct rte_mbuf **pkts, uint16_t n,
		struct labyrinth *lab, uint32_t page_size, uint32_t max_len)
{
	uint64_t no_page = 0, no_mbuf = 0, too_big = 0;
	uint16_t i, out = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		switch (page_copy_one(&m, s->mp, lab, page_size, max_len)) {
		case COPY_OK:
			pkts[out++] = m;
			continue;
		case COPY_NO_PAGE:
			no_page++;
			break;
		case COPY_NO_MBUF:
			no_mbuf++;
			break;
		case COPY_TOO_BIG:
			too_big++;
			break;
		}
		rte_pktmbuf_free(m);
	}
	if (unlikely(out != n)) {
		counter_add(&s->c.dropped, n - out);
		if (no_page != 0)
			counter_add(&s->c.grab_fail, no_page);
		if (no_mbuf != 0)
			counter_add(&s->c.nombuf, no_mbuf);
		if (too_big != 0)
			counter_add(&s->c.too_big, too_big);
	}
	return out;
}

/* The poll loop; mode is a constant in each instance (see fwd_worker). */
static __rte_always_inline void
poll_loop(struct fwd_lcore_conf *lc, const enum fwd_mode mode)
{
	struct rte_mbuf *pkts[FWD_MAX_BURST];
	const uint16_t burst = fwd.opts.burst;
	struct labyrinth *lab = fwd.lab;
	const uint32_t page_size = fwd.opts.page_size;
	const uint32_t max_len = page_size - RTE_PKTMBUF_HEADROOM -
		sizeof(struct rte_mbuf_ext_shared_info) - sizeof(uintptr_t);
	const uint64_t drain_tsc = (rte_get_tsc_hz() + US_PER_S - 1) /
		US_PER_S * fwd.opts.drain_us;
	const unsigned int nb_slots = lc->nb_slots;
	struct fwd_slot *slots = lc->slots;
	uint64_t prev_tsc = rte_rdtsc(), cur_tsc;
	unsigned int i;
	uint16_t nb;

	/*
	 * The quit flag is stored by the signal handler or the main lcore
	 * (main.c). It publishes no data: it only has to become visible
	 * eventually, so a relaxed load is enough, and it costs no more
	 * than a plain load in the loop.
	 */
	while (!__atomic_load_n(&fwd_quit, __ATOMIC_RELAXED)) {
		cur_tsc = rte_rdtsc();
		if (unlikely(cur_tsc - prev_tsc > drain_tsc)) {
			for (i = 0; i < nb_slots; i++)
				slot_flush(&slots[i]);
			prev_tsc = cur_tsc;
		}
		for (i = 0; i < nb_slots; i++) {
			struct fwd_slot *s = &slots[i];

			nb = rte_eth_rx_burst(s->rx_port, s->rx_queue, pkts,
					burst);
			if (nb == 0)
				continue;
			counter_add(&s->c.rx, nb);
			if (mode == FWD_MODE_MACSWAP)
				macswap_burst(pkts, nb);
			else if (mode == FWD_MODE_PAGE_COPY)
				nb = page_copy_burst(s, pkts, nb, lab,
						page_size, max_len);
			slot_tx(s, pkts, nb, burst);
		}
	}
}

int
fwd_worker(__rte_unused void *arg)
{
	unsigned int lcore = rte_lcore_id(), i, n;
	struct fwd_lcore_conf *lc = &fwd_lconf[lcore];
	char name[16] = "lfwd-w", digits[8];

	if (lc->nb_slots == 0)
		return 0;
	/* Setup, before the loop: "lfwd-w<lcore>", the name the
	 * never-sleeps test looks for (formatted without stdio). */
	n = 0;
	i = lcore;
	do {
		digits[n++] = '0' + i % 10;
		i /= 10;
	} while (i != 0 && n < sizeof(digits));
	for (i = 0; i < n; i++)
		name[6 + i] = digits[n - 1 - i];
	name[6 + n] = '\0';
	pthread_setname_np(pthread_self(), name);
	/*
	 * The thread id lets the main lcore read this thread's CPU time
	 * from /proc (fwd_stats.c). Release: pairs with the acquire load
	 * in worker_cpu_ns(); nothing else is published with it, but it
	 * keeps the name set before the id is seen.
	 */
	__atomic_store_n(&lc->tid, (int)gettid(), __ATOMIC_RELEASE);

	switch (fwd.opts.mode) {
	case FWD_MODE_IO:
		poll_loop(lc, FWD_MODE_IO);
		break;
	case FWD_MODE_MACSWAP:
		poll_loop(lc, FWD_MODE_MACSWAP);
		break;
	case FWD_MODE_PAGE_COPY:
		poll_loop(lc, FWD_MODE_PAGE_COPY);
		break;
	}

	/* Quit: send what is buffered (unsent is freed and counted). */
	for (i = 0; i < lc->nb_slots; i++)
		slot_flush(&lc->slots[i]);
	if (fwd.lab != NULL)
		labyrinth_cache_flush(fwd.lab);
	return 0;
}
