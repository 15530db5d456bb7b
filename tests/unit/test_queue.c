/*
 * Unit tests of queue/: order, bounds, blocking, close, and many threads.
 *
 * Blocking is shown with a helper thread that raises a flag when its call
 * returns: the flag must stay down while the call should block, and go up
 * once the main thread makes room (or closes). A watchdog turns a waiter
 * that is never woken into a FAIL line instead of a hung test run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "queue/queue.h"
#include "check.h"
#include "testutil.h"

/* How long a thread is given to (wrongly) get past a call that must block. */
#define BLOCK_PROOF_MS 100

static int values[16];
#define V(i) ((void *)&values[i])

static void test_queue_new_refuses_zero_capacity(void)
{
	queue *q = queue_new(0);

	ASSERT_TRUE(q == NULL);
	q = queue_new(1);
	ASSERT_TRUE(q != NULL);
	queue_free(q);
}

static void test_queue_pops_in_fifo_order(void)
{
	queue *q = queue_new(8);
	void *item;
	int i;

	ASSERT_TRUE(q != NULL);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(queue_push(q, V(i)), 0);
	ASSERT_EQ(queue_length(q), 5);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(queue_pop(q, &item), 0);
		ASSERT_TRUE(item == V(i));
	}
	ASSERT_EQ(queue_length(q), 0);
	queue_free(q);
}

/* Pushes and pops interleaved so head and tail wrap around the ring. */
static void test_queue_keeps_fifo_order_across_ring_wraparound(void)
{
	queue *q = queue_new(3);
	void *item;
	int next_in = 0, next_out = 0, round;

	ASSERT_TRUE(q != NULL);
	for (round = 0; round < 10; round++) {
		/* two in, one out: the ring fills, then drains, crossing its end */
		while (queue_length(q) < 3)
			ASSERT_EQ(queue_try_push(q, V(next_in++ % 16)), 0);
		ASSERT_EQ(queue_pop(q, &item), 0);
		ASSERT_TRUE(item == V(next_out++ % 16));
		ASSERT_EQ(queue_pop(q, &item), 0);
		ASSERT_TRUE(item == V(next_out++ % 16));
	}
	while (queue_length(q) > 0) {
		ASSERT_EQ(queue_pop(q, &item), 0);
		ASSERT_TRUE(item == V(next_out++ % 16));
	}
	ASSERT_EQ(next_in, next_out);
	queue_free(q);
}

static void test_queue_try_push_returns_eagain_when_full(void)
{
	queue *q = queue_new(2);
	void *item;

	ASSERT_TRUE(q != NULL);
	ASSERT_EQ(queue_try_push(q, V(0)), 0);
	ASSERT_EQ(queue_try_push(q, V(1)), 0);
	ASSERT_EQ(queue_try_push(q, V(2)), -EAGAIN);
	ASSERT_EQ(queue_length(q), 2);
	/* the refused item was not queued: the queue still holds 0, 1 */
	ASSERT_EQ(queue_pop(q, &item), 0);
	ASSERT_TRUE(item == V(0));
	ASSERT_EQ(queue_try_push(q, V(3)), 0);
	ASSERT_EQ(queue_pop(q, &item), 0);
	ASSERT_TRUE(item == V(1));
	ASSERT_EQ(queue_pop(q, &item), 0);
	ASSERT_TRUE(item == V(3));
	queue_free(q);
}

static void test_queue_refuses_null_item(void)
{
	queue *q = queue_new(2);

	ASSERT_TRUE(q != NULL);
	ASSERT_EQ(queue_push(q, NULL), -EINVAL);
	ASSERT_EQ(queue_try_push(q, NULL), -EINVAL);
	ASSERT_EQ(queue_length(q), 0);
	queue_free(q);
}

/* ---- blocking, with a helper thread -------------------------------------- */

struct blocked_call {
	queue *q;
	void *item;          /* to push, or what pop returned */
	int rc;
	atomic_int started;
	atomic_int returned;
};

static void *push_thread(void *arg)
{
	struct blocked_call *c = arg;

	atomic_store(&c->started, 1);
	c->rc = queue_push(c->q, c->item);
	atomic_store(&c->returned, 1);
	return NULL;
}

static void *pop_thread(void *arg)
{
	struct blocked_call *c = arg;

	atomic_store(&c->started, 1);
	c->rc = queue_pop(c->q, &c->item);
	atomic_store(&c->returned, 1);
	return NULL;
}

static void wait_started(struct blocked_call *c)
{
	while (!atomic_load(&c->started))
		sleep_ms(1);
	sleep_ms(BLOCK_PROOF_MS); /* time to get past the call, if it did not block */
}

static void test_queue_blocking_push_waits_until_pop_makes_room(void)
{
	queue *q = queue_new(1);
	struct blocked_call c = { .item = V(1) };
	pthread_t t;
	void *item;

	ASSERT_TRUE(q != NULL);
	c.q = q;
	ASSERT_EQ(queue_push(q, V(0)), 0);
	ASSERT_EQ(pthread_create(&t, NULL, push_thread, &c), 0);
	wait_started(&c);
	ASSERT_EQ(atomic_load(&c.returned), 0);    /* still blocked: full */
	ASSERT_EQ(queue_length(q), 1);

	ASSERT_EQ(queue_pop(q, &item), 0);          /* makes room */
	ASSERT_TRUE(item == V(0));
	ASSERT_EQ(pthread_join(t, NULL), 0);
	ASSERT_EQ(atomic_load(&c.returned), 1);
	ASSERT_EQ(c.rc, 0);
	ASSERT_EQ(queue_pop(q, &item), 0);          /* the blocked item landed */
	ASSERT_TRUE(item == V(1));
	queue_free(q);
}

static void test_queue_blocking_pop_waits_until_push(void)
{
	queue *q = queue_new(4);
	struct blocked_call c = { 0 };
	pthread_t t;

	ASSERT_TRUE(q != NULL);
	c.q = q;
	ASSERT_EQ(pthread_create(&t, NULL, pop_thread, &c), 0);
	wait_started(&c);
	ASSERT_EQ(atomic_load(&c.returned), 0);    /* still blocked: empty */
	ASSERT_EQ(queue_push(q, V(7)), 0);
	ASSERT_EQ(pthread_join(t, NULL), 0);
	ASSERT_EQ(c.rc, 0);
	ASSERT_TRUE(c.item == V(7));
	queue_free(q);
}

#define NWAITERS 3

static void test_queue_close_wakes_every_blocked_pop_with_ecanceled(void)
{
	queue *q = queue_new(4);
	struct blocked_call c[NWAITERS];
	pthread_t t[NWAITERS];
	int i;

	ASSERT_TRUE(q != NULL);
	memset(c, 0, sizeof(c));
	for (i = 0; i < NWAITERS; i++) {
		c[i].q = q;
		c[i].item = V(9); /* must be reset to NULL by the failed pop */
		ASSERT_EQ(pthread_create(&t[i], NULL, pop_thread, &c[i]), 0);
	}
	for (i = 0; i < NWAITERS; i++)
		wait_started(&c[i]);
	for (i = 0; i < NWAITERS; i++)
		ASSERT_EQ(atomic_load(&c[i].returned), 0);
	queue_close(q);
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_EQ(pthread_join(t[i], NULL), 0);
		ASSERT_EQ(c[i].rc, -ECANCELED);
		ASSERT_TRUE(c[i].item == NULL);
	}
	queue_free(q);
}

static void test_queue_close_wakes_every_blocked_push_with_ecanceled(void)
{
	queue *q = queue_new(1);
	struct blocked_call c[NWAITERS];
	pthread_t t[NWAITERS];
	void *item;
	int i;

	ASSERT_TRUE(q != NULL);
	memset(c, 0, sizeof(c));
	ASSERT_EQ(queue_push(q, V(0)), 0);
	for (i = 0; i < NWAITERS; i++) {
		c[i].q = q;
		c[i].item = V(i + 1);
		ASSERT_EQ(pthread_create(&t[i], NULL, push_thread, &c[i]), 0);
	}
	for (i = 0; i < NWAITERS; i++)
		wait_started(&c[i]);
	for (i = 0; i < NWAITERS; i++)
		ASSERT_EQ(atomic_load(&c[i].returned), 0);
	queue_close(q);
	for (i = 0; i < NWAITERS; i++) {
		ASSERT_EQ(pthread_join(t[i], NULL), 0);
		ASSERT_EQ(c[i].rc, -ECANCELED);
	}
	/* none of the refused items was queued: only the first is left */
	ASSERT_EQ(queue_length(q), 1);
	ASSERT_EQ(queue_pop(q, &item), 0);
	ASSERT_TRUE(item == V(0));
	ASSERT_EQ(queue_pop(q, &item), -ECANCELED);
	queue_free(q);
}

static void test_queue_pop_drains_remaining_items_after_close(void)
{
	queue *q = queue_new(4);
	void *item = V(9);
	int i;

	ASSERT_TRUE(q != NULL);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(queue_push(q, V(i)), 0);
	queue_close(q);
	queue_close(q); /* idempotent */
	ASSERT_EQ(queue_push(q, V(5)), -ECANCELED);
	ASSERT_EQ(queue_try_push(q, V(5)), -ECANCELED);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(queue_pop(q, &item), 0);
		ASSERT_TRUE(item == V(i));
	}
	ASSERT_EQ(queue_pop(q, &item), -ECANCELED);
	ASSERT_TRUE(item == NULL);
	ASSERT_EQ(queue_pop(q, &item), -ECANCELED); /* and stays so */
	queue_free(q);
}

/* ---- many producers, many consumers -------------------------------------- */

#define NPRODUCERS 4
#define NCONSUMERS 4
#define PER_PRODUCER 10000

struct token {
	int producer;
	int seq;
};

static struct token tokens[NPRODUCERS][PER_PRODUCER];
static atomic_int seen[NPRODUCERS][PER_PRODUCER];

struct producer {
	queue *q;
	int id;
	int failures;        /* pushes that did not return 0 */
};

struct consumer {
	queue *q;
	int taken;
	int order_violations; /* a producer's item seen after a later one */
	int last_rc;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	int i;

	for (i = 0; i < PER_PRODUCER; i++)
		if (queue_push(p->q, &tokens[p->id][i]) != 0)
			p->failures++;
	return NULL;
}

static void *consumer_main(void *arg)
{
	struct consumer *c = arg;
	int last[NPRODUCERS];
	void *item;
	int i;

	for (i = 0; i < NPRODUCERS; i++)
		last[i] = -1;
	while ((c->last_rc = queue_pop(c->q, &item)) == 0) {
		struct token *tk = item;

		/* FIFO: one producer's items reach any one consumer in order */
		if (tk->seq <= last[tk->producer])
			c->order_violations++;
		last[tk->producer] = tk->seq;
		atomic_fetch_add(&seen[tk->producer][tk->seq], 1);
		c->taken++;
	}
	return NULL;
}

static void test_queue_many_producers_consumers_deliver_each_item_once_in_order(void)
{
	queue *q = queue_new(64);
	struct producer prod[NPRODUCERS];
	struct consumer cons[NCONSUMERS];
	pthread_t pt[NPRODUCERS], ct[NCONSUMERS];
	int i, j, total = 0;

	ASSERT_TRUE(q != NULL);
	for (i = 0; i < NPRODUCERS; i++)
		for (j = 0; j < PER_PRODUCER; j++) {
			tokens[i][j].producer = i;
			tokens[i][j].seq = j;
			atomic_store(&seen[i][j], 0);
		}
	memset(prod, 0, sizeof(prod));
	memset(cons, 0, sizeof(cons));
	for (i = 0; i < NCONSUMERS; i++) {
		cons[i].q = q;
		ASSERT_EQ(pthread_create(&ct[i], NULL, consumer_main, &cons[i]), 0);
	}
	for (i = 0; i < NPRODUCERS; i++) {
		prod[i].q = q;
		prod[i].id = i;
		ASSERT_EQ(pthread_create(&pt[i], NULL, producer_main, &prod[i]), 0);
	}
	for (i = 0; i < NPRODUCERS; i++)
		ASSERT_EQ(pthread_join(pt[i], NULL), 0);
	queue_close(q); /* consumers drain what is left, then see -ECANCELED */
	for (i = 0; i < NCONSUMERS; i++)
		ASSERT_EQ(pthread_join(ct[i], NULL), 0);

	for (i = 0; i < NPRODUCERS; i++)
		ASSERT_EQ(prod[i].failures, 0);
	for (i = 0; i < NCONSUMERS; i++) {
		ASSERT_EQ(cons[i].order_violations, 0);
		ASSERT_EQ(cons[i].last_rc, -ECANCELED);
		total += cons[i].taken;
	}
	ASSERT_EQ(total, NPRODUCERS * PER_PRODUCER);
	for (i = 0; i < NPRODUCERS; i++)
		for (j = 0; j < PER_PRODUCER; j++)
			if (atomic_load(&seen[i][j]) != 1)
				CHECK_FAIL("producer %d item %d seen %d times", i, j,
					   atomic_load(&seen[i][j]));
	ASSERT_EQ(queue_length(q), 0);
	queue_free(q);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_queue_new_refuses_zero_capacity);
	RUN(test_queue_pops_in_fifo_order);
	RUN(test_queue_keeps_fifo_order_across_ring_wraparound);
	RUN(test_queue_try_push_returns_eagain_when_full);
	RUN(test_queue_refuses_null_item);
	RUN_GUARDED(test_queue_blocking_push_waits_until_pop_makes_room, 30);
	RUN_GUARDED(test_queue_blocking_pop_waits_until_push, 30);
	RUN_GUARDED(test_queue_close_wakes_every_blocked_pop_with_ecanceled, 30);
	RUN_GUARDED(test_queue_close_wakes_every_blocked_push_with_ecanceled, 30);
	RUN_GUARDED(test_queue_pop_drains_remaining_items_after_close, 30);
	RUN_GUARDED(test_queue_many_producers_consumers_deliver_each_item_once_in_order, 120);
	return CHECK_EXIT();
}
