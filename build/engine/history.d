build/engine/history.o: engine/history.c engine/history.h \
 engine/atomic_file.h engine/sha256.h
engine/history.h:
engine/atomic_file.h:
engine/sha256.h:
