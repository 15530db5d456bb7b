build/engine/sqlident.o: engine/sqlident.c engine/sqlident.h \
 engine/strbuf.h
engine/sqlident.h:
engine/strbuf.h:
