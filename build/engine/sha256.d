build/engine/sha256.o: engine/sha256.c engine/sha256.h
engine/sha256.h:
