/*
 * localinfile: what our connections give a server that asks for a local
 * file (the protocol's LOAD DATA LOCAL INFILE request).
 *
 * libmariadb's own handler opens whatever file the server names, and an
 * option file's local-infile (or a server that asks unprompted) would let
 * it: so every connection of ours refuses (localinfile_refuse, set by
 * connpool.h on each new handle), and a load that sends LOAD DATA LOCAL
 * INFILE serves one buffer of its own, under one name, for that statement
 * only (localinfile_serve, then localinfile_refuse again). A request for
 * any other name is refused, and said.
 *
 * The handlers run on the thread running the query; a source belongs to
 * that thread while it is served.
 */
#ifndef RHIZOME_LOCALINFILE_H
#define RHIZOME_LOCALINFILE_H

#include <stddef.h>

#include <mysql.h>

/* The statement's data: `name` is what the statement says after LOCAL
 * INFILE (unquoted), data[0..len) what goes back. Borrowed by the handler
 * until localinfile_refuse; `sent` and `asked` are the handler's. */
struct localinfile_source {
	const char *name;
	const char *data;
	size_t len;
	size_t sent;            /* bytes handed to the library so far */
	char asked[128];        /* a refused request's name, cut; "" if none */
};

/* Refuse every request on m from now, naming what was asked (the query
 * then fails with that as its error). */
void localinfile_refuse(MYSQL *m);

/* Serve src on m (the next requests get src->data when they name
 * src->name, a refusal otherwise) until localinfile_refuse. */
void localinfile_serve(MYSQL *m, struct localinfile_source *src);

#endif
