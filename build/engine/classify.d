build/engine/classify.o: engine/classify.c engine/classify.h \
 engine/normalize.h
engine/classify.h:
engine/normalize.h:
