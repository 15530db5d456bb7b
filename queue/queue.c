/*
 * A ring buffer under one mutex with two condition variables, as in Redis's
 * bio.c and libuv's threadpool: `not_empty` wakes consumers, `not_full` wakes
 * producers. Closing broadcasts both so no thread can sleep through it.
 * No callback ever runs under the lock: the queue only moves pointers.
 */
#include "queue/queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "engine/base/alloc.h"

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	void **items;      /* guarded by lock; ring of `capacity` slots */
	size_t capacity;   /* immutable */
	size_t head;       /* guarded by lock: index of the oldest item */
	size_t count;      /* guarded by lock */
	int closed;        /* guarded by lock */
};

queue *queue_new(size_t capacity)
{
	queue *q;

	if (capacity == 0)
		return NULL;
	q = xcalloc(1, sizeof(*q));
	q->items = xcalloc(capacity, sizeof(*q->items));
	if (pthread_mutex_init(&q->lock, NULL) != 0)
		goto fail_lock;
	if (pthread_cond_init(&q->not_empty, NULL) != 0)
		goto fail_not_empty;
	if (pthread_cond_init(&q->not_full, NULL) != 0)
		goto fail_not_full;
	q->capacity = capacity;
	return q;

fail_not_full:
	pthread_cond_destroy(&q->not_empty);
fail_not_empty:
	pthread_mutex_destroy(&q->lock);
fail_lock:
	free(q->items);
	free(q);
	return NULL;
}

void queue_free(queue *q)
{
	if (q == NULL)
		return;
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->lock);
	free(q->items);
	free(q);
}

/* Caller holds q->lock and has checked there is room. */
static void enqueue_locked(queue *q, void *item)
{
	q->items[(q->head + q->count) % q->capacity] = item;
	q->count++;
	pthread_cond_signal(&q->not_empty);
}

int queue_push(queue *q, void *item)
{
	int rc = 0;

	if (item == NULL)
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	while (!q->closed && q->count == q->capacity)
		pthread_cond_wait(&q->not_full, &q->lock);
	if (q->closed)
		rc = -ECANCELED;
	else
		enqueue_locked(q, item);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int queue_try_push(queue *q, void *item)
{
	int rc = 0;

	if (item == NULL)
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	if (q->closed)
		rc = -ECANCELED;
	else if (q->count == q->capacity)
		rc = -EAGAIN;
	else
		enqueue_locked(q, item);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int queue_pop(queue *q, void **item)
{
	int rc = 0;

	pthread_mutex_lock(&q->lock);
	while (!q->closed && q->count == 0)
		pthread_cond_wait(&q->not_empty, &q->lock);
	if (q->count == 0) {
		/* closed and drained */
		*item = NULL;
		rc = -ECANCELED;
	} else {
		*item = q->items[q->head];
		q->items[q->head] = NULL;
		q->head = (q->head + 1) % q->capacity;
		q->count--;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void queue_close(queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

size_t queue_length(queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}
