build/engine/progress.o: engine/progress.c engine/progress.h \
 engine/classify.h
engine/progress.h:
engine/classify.h:
