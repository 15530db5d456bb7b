#include "environments/localinfile.h"

#include <stdio.h>
#include <string.h>

/* What a refused request asked for, between the library's call of init
 * and its call of error, which come on the same thread one after the
 * other. */
static __thread char refused_name[128];

static int refuse_init(void **ptr, const char *filename, void *userdata)
{
	(void)userdata;
	*ptr = NULL;
	snprintf(refused_name, sizeof(refused_name), "%s",
		 filename ? filename : "");
	return 1;
}

static int refuse_read(void *ptr, char *buf, unsigned int len)
{
	(void)ptr;
	(void)buf;
	(void)len;
	return -1;
}

static void refuse_end(void *ptr)
{
	(void)ptr;
}

static int refuse_error(void *ptr, char *buf, unsigned int len)
{
	(void)ptr;
	snprintf(buf, len, "the server asked for the local file '%s': refused "
		 "(rhizome sends no file a server asks for)", refused_name);
	return 2000; /* CR_UNKNOWN_ERROR */
}

void localinfile_refuse(MYSQL *m)
{
	mysql_set_local_infile_handler(m, refuse_init, refuse_read, refuse_end,
				       refuse_error, NULL);
}

static int serve_init(void **ptr, const char *filename, void *userdata)
{
	struct localinfile_source *src = userdata;

	*ptr = src;
	src->sent = 0;
	src->asked[0] = '\0';
	if (filename != NULL && strcmp(filename, src->name) == 0)
		return 0;
	snprintf(src->asked, sizeof(src->asked), "%s", filename ? filename : "");
	return 1;
}

static int serve_read(void *ptr, char *buf, unsigned int len)
{
	struct localinfile_source *src = ptr;
	size_t n = src->len - src->sent;

	if (n > len)
		n = len;
	memcpy(buf, src->data + src->sent, n);
	src->sent += n;
	return (int)n;
}

static void serve_end(void *ptr)
{
	(void)ptr;
}

static int serve_error(void *ptr, char *buf, unsigned int len)
{
	struct localinfile_source *src = ptr;

	snprintf(buf, len, "the server asked for the local file '%s' where the "
		 "statement sends '%s': refused", src->asked, src->name);
	return 2000; /* CR_UNKNOWN_ERROR */
}

void localinfile_serve(MYSQL *m, struct localinfile_source *src)
{
	mysql_set_local_infile_handler(m, serve_init, serve_read, serve_end,
				       serve_error, src);
}
