build/engine/fetch.o: engine/fetch.c engine/fetch.h \
 engine/../environments/connpool.h /usr/include/mariadb/mysql.h \
 /usr/include/mariadb/mariadb_com.h \
 /usr/include/mariadb/mariadb_version.h /usr/include/mariadb/ma_list.h \
 /usr/include/mariadb/mariadb_ctype.h /usr/include/mariadb/mariadb_stmt.h \
 engine/../environments/config.h engine/strbuf.h \
 /usr/include/mariadb/errmsg.h /usr/include/mariadb/mysqld_error.h \
 engine/sqlident.h
engine/fetch.h:
engine/../environments/connpool.h:
/usr/include/mariadb/mysql.h:
/usr/include/mariadb/mariadb_com.h:
/usr/include/mariadb/mariadb_version.h:
/usr/include/mariadb/ma_list.h:
/usr/include/mariadb/mariadb_ctype.h:
/usr/include/mariadb/mariadb_stmt.h:
engine/../environments/config.h:
engine/strbuf.h:
/usr/include/mariadb/errmsg.h:
/usr/include/mariadb/mysqld_error.h:
engine/sqlident.h:
