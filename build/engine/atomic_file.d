build/engine/atomic_file.o: engine/atomic_file.c engine/atomic_file.h
engine/atomic_file.h:
