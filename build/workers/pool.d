build/workers/pool.o: workers/pool.c workers/pool.h \
 workers/../queue/queue.h
workers/pool.h:
workers/../queue/queue.h:
