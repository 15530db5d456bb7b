build/queue/queue.o: queue/queue.c queue/queue.h
queue/queue.h:
