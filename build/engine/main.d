build/engine/main.o: engine/main.c /usr/include/mariadb/mysql.h \
 /usr/include/mariadb/mariadb_com.h \
 /usr/include/mariadb/mariadb_version.h /usr/include/mariadb/ma_list.h \
 /usr/include/mariadb/mariadb_ctype.h /usr/include/mariadb/mariadb_stmt.h \
 engine/../environments/config.h engine/atomic_file.h engine/history.h \
 engine/snapshot.h engine/sync.h engine/version.h
/usr/include/mariadb/mysql.h:
/usr/include/mariadb/mariadb_com.h:
/usr/include/mariadb/mariadb_version.h:
/usr/include/mariadb/ma_list.h:
/usr/include/mariadb/mariadb_ctype.h:
/usr/include/mariadb/mariadb_stmt.h:
engine/../environments/config.h:
engine/atomic_file.h:
engine/history.h:
engine/snapshot.h:
engine/sync.h:
engine/version.h:
