build/engine/sync.o: engine/sync.c engine/sync.h \
 engine/../environments/config.h /usr/include/mariadb/errmsg.h \
 engine/../environments/connpool.h /usr/include/mariadb/mysql.h \
 /usr/include/mariadb/mariadb_com.h \
 /usr/include/mariadb/mariadb_version.h /usr/include/mariadb/ma_list.h \
 /usr/include/mariadb/mariadb_ctype.h /usr/include/mariadb/mariadb_stmt.h \
 engine/../environments/config.h engine/../queue/queue.h \
 engine/../workers/pool.h engine/../workers/../queue/queue.h \
 engine/atomic_file.h engine/classify.h engine/fetch.h engine/strbuf.h \
 engine/history.h engine/progress.h engine/sha256.h engine/snapshot.h \
 engine/sqlident.h engine/version.h
engine/sync.h:
engine/../environments/config.h:
/usr/include/mariadb/errmsg.h:
engine/../environments/connpool.h:
/usr/include/mariadb/mysql.h:
/usr/include/mariadb/mariadb_com.h:
/usr/include/mariadb/mariadb_version.h:
/usr/include/mariadb/ma_list.h:
/usr/include/mariadb/mariadb_ctype.h:
/usr/include/mariadb/mariadb_stmt.h:
engine/../environments/config.h:
engine/../queue/queue.h:
engine/../workers/pool.h:
engine/../workers/../queue/queue.h:
engine/atomic_file.h:
engine/classify.h:
engine/fetch.h:
engine/strbuf.h:
engine/history.h:
engine/progress.h:
engine/sha256.h:
engine/snapshot.h:
engine/sqlident.h:
engine/version.h:
