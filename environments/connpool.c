/*
 * A mutex guards the idle stack and the counters; a condition variable wakes
 * acquirers when a connection comes back or a slot frees. Connecting happens
 * outside the lock (it can take a whole connect timeout) with the slot
 * reserved first, so the pool never exceeds env->pool connections.
 *
 * In-use connections are remembered with their socket descriptor, captured
 * by the owning thread right after connect, so connpool_interrupt() can shut
 * a socket down from another thread without touching the MYSQL handle.
 *
 * Connecting uses libmariadb's non-blocking API, polling the socket together
 * with the pool's eventfd: an interrupt writes the eventfd and every connect
 * in progress gives up at once, instead of sitting out its connect timeout
 * (a shutdown() cannot reach a socket whose TCP handshake is still going).
 */
#include "environments/connpool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/base/clock.h"
#include "engine/base/strbuf.h"

struct busy_conn {
	MYSQL *m;
	int fd;
};

struct connpool {
	const struct env_config *env;   /* borrowed, immutable */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	MYSQL **idle;                   /* guarded by lock; capacity env->pool */
	unsigned nidle;                 /* guarded by lock */
	struct busy_conn *busy;         /* guarded by lock; capacity env->pool */
	unsigned nbusy;                 /* guarded by lock */
	unsigned connecting;            /* guarded by lock: slots being opened */
	unsigned limit;                 /* guarded by lock: env->pool, lowered
					 * when the server refuses more */
	int interrupted;                /* guarded by lock */
	int wake_fd;                    /* eventfd: readable once interrupted;
					 * -1 when none could be made */
	int dead;                       /* guarded by lock: a connect failed */
	struct connpool_error dead_error;     /* guarded by lock */
};

void connpool_error_capture(struct connpool_error *err, MYSQL *m)
{
	err->code = mysql_errno(m);
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", mysql_sqlstate(m));
	snprintf(err->message, sizeof(err->message), "%s", mysql_error(m));
}

connpool *connpool_new(const struct env_config *env)
{
	connpool *p = xcalloc(1, sizeof(*p));

	p->idle = xcalloc(env->pool, sizeof(*p->idle));
	p->busy = xcalloc(env->pool, sizeof(*p->busy));
	/* Out of descriptors (EMFILE) the connects will fail too, and say so;
	 * poll() skips a negative descriptor, so the pool works without it. */
	p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->env = env;
	p->limit = env->pool;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	return p;
}

void connpool_free(connpool *p)
{
	unsigned i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nidle; i++)
		mysql_close(p->idle[i]);
	if (p->wake_fd >= 0)
		close(p->wake_fd);
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->lock);
	free(p->idle);
	free(p->busy);
	free(p);
}

static void set_interrupted(struct connpool_error *err)
{
	err->code = 0;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "HY000");
	snprintf(err->message, sizeof(err->message), "interrupted");
}

/*
 * Drive a non-blocking connect to its end. Returns 0 when done (connected
 * or failed, see *ret), or -ECANCELED when the pool was interrupted first.
 */
static int finish_connect(connpool *p, MYSQL *m, MYSQL **ret, int status)
{
	while (status != 0) {
		struct pollfd fds[2] = {
			{ .fd = (int)mysql_get_socket(m), .events = 0 },
			{ .fd = p->wake_fd, .events = POLLIN },
		};
		int timeout = -1, n;

		if (status & MYSQL_WAIT_READ)
			fds[0].events |= POLLIN;
		if (status & MYSQL_WAIT_WRITE)
			fds[0].events |= POLLOUT;
		if (status & MYSQL_WAIT_EXCEPT)
			fds[0].events |= POLLPRI;
		if (status & MYSQL_WAIT_TIMEOUT)
			timeout = (int)mysql_get_timeout_value_ms(m);
		n = poll(fds, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (fds[1].revents != 0)
			return -ECANCELED;
		status = 0;
		if (n == 0)
			status = MYSQL_WAIT_TIMEOUT;
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
			status |= MYSQL_WAIT_READ;
		if (fds[0].revents & (POLLOUT | POLLHUP | POLLERR))
			status |= MYSQL_WAIT_WRITE;
		if (fds[0].revents & POLLPRI)
			status |= MYSQL_WAIT_EXCEPT;
		status = mysql_real_connect_cont(ret, m, status);
	}
	return 0;
}

/*
 * A connect failed: say where and why, so one line is enough to act on
 * (which server, which config line, which option file), and say a timeout
 * as a timeout. libmariadb's own message comes last.
 */
static void explain_connect_error(const struct env_config *env,
				  struct connpool_error *err, double seconds)
{
	struct strbuf sb = STRBUF_INIT;

	if (env->socket != NULL)
		strbuf_addf(&sb, "cannot connect to socket %s", env->socket);
	else if (env->host != NULL && env->port != 0)
		strbuf_addf(&sb, "cannot connect to %s:%u", env->host, env->port);
	else if (env->host != NULL)
		strbuf_addf(&sb, "cannot connect to %s (port from %s)", env->host,
			    env->option_file ? "the option file"
					     : "libmariadb's default");
	else
		strbuf_adds(&sb, "cannot connect to the server the option file names");
	strbuf_addf(&sb, " (environment %s, %s:%d", env->name,
		    env->config_path ? env->config_path : "config", env->line);
	if (env->option_file != NULL)
		strbuf_addf(&sb, ", option file %s", env->option_file);
	strbuf_adds(&sb, "): ");
	/* A connect that used up its timeout timed out, whatever the
	 * library's words (2013 "Lost connection ... reading initial
	 * communication packet", 2002 "(110)"). */
	if (seconds + 0.25 >= (double)env->connect_timeout)
		strbuf_addf(&sb, "timed out after %u s (connect-timeout); ",
			    env->connect_timeout);
	strbuf_adds(&sb, err->message);
	/* cut to the message's size: the library's words are the end of it */
	snprintf(err->message, sizeof(err->message), "%s", sb.data);
	strbuf_release(&sb);
}

/* Open one connection with every option set. Runs without the lock. */
static MYSQL *open_connection(connpool *p, struct connpool_error *err)
{
	const struct env_config *env = p->env;
	MYSQL *m = mysql_init(NULL), *ret = NULL;
	my_bool off = 0;
	const char *password = NULL;
	double started = clock_seconds();
	int status;

	if (m == NULL) {
		err->code = 2008; /* CR_OUT_OF_MEMORY */
		snprintf(err->sqlstate, sizeof(err->sqlstate), "HY000");
		snprintf(err->message, sizeof(err->message),
			 "mysql_init: out of memory");
		return NULL;
	}
	mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &env->connect_timeout);
	mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &env->read_timeout);
	mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &env->write_timeout);
	mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);
	/* Only the connect is non-blocking (see the top); queries block. */
	mysql_optionsv(m, MYSQL_OPT_NONBLOCK, 0);
	/* Identifiers and comments may hold any Unicode character. */
	mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (env->option_file != NULL)
		mysql_optionsv(m, MYSQL_READ_DEFAULT_FILE, env->option_file);
	if (env->option_group != NULL)
		mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, env->option_group);
	if (env->password_env != NULL)
		password = getenv(env->password_env);

	status = mysql_real_connect_start(&ret, m, env->host, env->user,
					  password, NULL, env->port,
					  env->socket, CLIENT_MULTI_STATEMENTS |
					  CLIENT_MULTI_RESULTS);
	if (finish_connect(p, m, &ret, status) != 0) {
		set_interrupted(err);
		mysql_close(m);
		return NULL;
	}
	if (ret == NULL) {
		connpool_error_capture(err, m);
		explain_connect_error(env, err, clock_seconds() - started);
		mysql_close(m);
		return NULL;
	}
	/* An option file is read at connect time, after our options, and can
	 * switch auto-reconnect on: a silent reconnect would go on without
	 * this session's settings (the time zone of data batches), and wrong
	 * data is worse than an error. Off again, whatever the file said (the
	 * command line warns when a file asks for it). */
	mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);
	/* It can also name another character set: text would then arrive mangled ("?" for
	 * what latin1 cannot hold) with nothing failing. Costs a round trip
	 * only in that case. */
	if (strcmp(mysql_character_set_name(m), "utf8mb4") != 0 &&
	    mysql_set_character_set(m, "utf8mb4") != 0) {
		connpool_error_capture(err, m);
		mysql_close(m);
		return NULL;
	}
	return m;
}

int connpool_acquire(connpool *p, MYSQL **out, int *reused,
		     struct connpool_error *err)
{
	MYSQL *m = NULL;
	int fd, rc = -ECANCELED;

	*out = NULL;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->interrupted) {
			set_interrupted(err);
			goto fail_locked;
		}
		if (p->nidle > 0) {
			m = p->idle[--p->nidle];
			*reused = 1;
			break;
		}
		if (p->dead) {
			*err = p->dead_error;
			rc = -ENOTCONN;
			goto fail_locked;
		}
		if (p->nidle + p->nbusy + p->connecting < p->limit) {
			p->connecting++;
			pthread_mutex_unlock(&p->lock);
			m = open_connection(p, err);
			pthread_mutex_lock(&p->lock);
			p->connecting--;
			pthread_cond_broadcast(&p->changed);
			if (m != NULL) {
				*reused = 0;
				break;
			}
			if (p->interrupted)
				goto fail_locked;
			if (p->nidle + p->nbusy + p->connecting > 0) {
				/* The server serves some but refuses more (say,
				 * max_user_connections): live with what works,
				 * and wait for one of those. */
				p->limit = p->nidle + p->nbusy + p->connecting;
				continue;
			}
			p->dead = 1;
			p->dead_error = *err;
			rc = -ENOTCONN;
			goto fail_locked;
		}
		pthread_cond_wait(&p->changed, &p->lock);
	}
	if (p->interrupted) {
		p->idle[p->nidle++] = m;
		set_interrupted(err);
		goto fail_locked;
	}
	fd = (int)mysql_get_socket(m);
	p->busy[p->nbusy].m = m;
	p->busy[p->nbusy].fd = fd;
	p->nbusy++;
	pthread_mutex_unlock(&p->lock);
	*out = m;
	return 0;

fail_locked:
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void connpool_release(connpool *p, MYSQL *m, int broken)
{
	unsigned i;
	int close_it;

	if (m == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nbusy; i++)
		if (p->busy[i].m == m) {
			p->busy[i] = p->busy[--p->nbusy];
			break;
		}
	close_it = broken || p->interrupted;
	if (!close_it)
		p->idle[p->nidle++] = m;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	if (close_it)
		mysql_close(m); /* outside the lock: it may write COM_QUIT */
}

void connpool_interrupt(connpool *p)
{
	unsigned i;

	pthread_mutex_lock(&p->lock);
	p->interrupted = 1;
	/* Wakes connects in progress; the eventfd stays readable. */
	if (p->wake_fd >= 0)
		(void)!write(p->wake_fd, &(uint64_t){ 1 }, sizeof(uint64_t));
	for (i = 0; i < p->nbusy; i++)
		if (p->busy[i].fd >= 0)
			shutdown(p->busy[i].fd, SHUT_RDWR);
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}
