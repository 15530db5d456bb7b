build/engine/normalize.o: engine/normalize.c engine/normalize.h
engine/normalize.h:
