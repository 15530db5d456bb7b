build/engine/snapshot.o: engine/snapshot.c engine/snapshot.h \
 engine/atomic_file.h engine/history.h
engine/snapshot.h:
engine/atomic_file.h:
engine/history.h:
