build/environments/config.o: environments/config.c environments/config.h
environments/config.h:
