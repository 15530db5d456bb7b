/*
 * queue: a bounded, blocking FIFO of opaque pointers shared by threads.
 *
 * Producers block in queue_push() while the queue is full; consumers block in
 * queue_pop() while it is empty. queue_close() wakes every waiter: after it,
 * pushes fail and pops drain what is left, then fail. The queue never owns or
 * frees the items it carries. It knows nothing of jobs, MariaDB or snapshots.
 */
#ifndef RHIZOME_QUEUE_H
#define RHIZOME_QUEUE_H

#include <stddef.h>

typedef struct queue queue;

/*
 * Create a queue holding at most `capacity` items (capacity >= 1); the
 * caller owns it (queue_free). Out of memory aborts (engine/base/alloc.h);
 * returns NULL only for a capacity of 0, or when pthreads cannot make its
 * mutex or condition variables. Call from one thread; the result is then
 * shared freely.
 */
queue *queue_new(size_t capacity);

/*
 * Free the queue (NULL is a no-op). Every thread that used it must have
 * returned from its queue_* calls. Items still queued are not freed (the queue never owns them).
 */
void queue_free(queue *q);

/*
 * Append `item` (not NULL), blocking while the queue is full.
 * Returns 0, -ECANCELED if the queue is or becomes closed (item not queued),
 * -EINVAL for a NULL item. Thread-safe.
 */
int queue_push(queue *q, void *item);

/*
 * Append without blocking. Returns 0, -EAGAIN when full, -ECANCELED when
 * closed, -EINVAL for a NULL item. Thread-safe.
 */
int queue_try_push(queue *q, void *item);

/*
 * Take the oldest item into *item, blocking while the queue is empty and open.
 * Returns 0, or -ECANCELED once the queue is closed and drained (*item is
 * then NULL). Thread-safe.
 */
int queue_pop(queue *q, void **item);

/*
 * Close the queue and wake every waiter. Idempotent. Thread-safe.
 */
void queue_close(queue *q);

/* Items currently queued (a snapshot; may be stale at once). Thread-safe. */
size_t queue_length(queue *q);

#endif
