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
 * The same loop reads the server's greeting before the library answers it,
 * to refuse a server without TLS before any login (greeting.h).
 *
 * Until one connection has logged in, connects run one at a time, and that
 * lone connect is retried after a transient failure (connect_with_retries);
 * afterwards they overlap. After an interrupt, connpool_kill_queries stops
 * on the server what was running, over an idle connection or a control
 * connection of its own.
 *
 * An idle connection the server has closed meanwhile (wait_timeout, a
 * DBA's KILL, a restart) is never handed out: it is closed, and a new one
 * opened in its place (server_hung_up).
 */
#include "environments/connpool.h"

#include <errmsg.h>

#include <errno.h>
#include <fcntl.h>
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
#include "engine/base/backoff.h"
#include "engine/base/clock.h"
#include "engine/base/strbuf.h"
#include "environments/greeting.h"
#include "environments/localinfile.h"

struct busy_conn {
	MYSQL *m;
	int fd;
	unsigned long thread_id;        /* the server's id of the connection */
	double deadline;                /* clock_seconds(); 0: none */
	int expired;                    /* connpool_enforce_deadlines cut it off */
};

struct connpool {
	const struct env_config *env;   /* borrowed, immutable */
	enum tls_mode tls;              /* immutable: what a connection must meet */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	MYSQL **idle;                   /* guarded by lock; capacity env->pool */
	unsigned nidle;                 /* guarded by lock */
	struct busy_conn *busy;         /* guarded by lock; capacity env->pool */
	unsigned nbusy;                 /* guarded by lock */
	unsigned long *kill_ids;        /* guarded by lock: what was running
					 * when interrupted (capacity env->pool) */
	unsigned nkill;                 /* guarded by lock */
	unsigned connecting;            /* guarded by lock: slots being opened */
	unsigned limit;                 /* guarded by lock: env->pool, lowered
					 * when the server refuses more */
	int interrupted;                /* guarded by lock */
	int wake_fd;                    /* eventfd: readable once interrupted;
					 * -1 when none could be made */
	char *init_sql;                 /* immutable: the init command */
	char *mariadb_sql, *mysql_sql;  /* immutable: connpool_session_sql's */
	int local_data;                 /* set before the first acquire:
					 * connections offer LOAD DATA LOCAL */
	int dead;                       /* guarded by lock: a connect failed */
	int logged_in;                  /* guarded by lock: a connection of
					 * this pool has logged in */
	unsigned seed;                  /* rand_r state of connect_pause: used
					 * by the one connect that runs alone */
	struct connpool_error dead_error;     /* guarded by lock */
};

void connpool_error_capture(struct connpool_error *err, MYSQL *m)
{
	err->code = mysql_errno(m);
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", mysql_sqlstate(m));
	snprintf(err->message, sizeof(err->message), "%s", mysql_error(m));
	/* libmariadb says "Lost connection" for a packet over its
	 * max_allowed_packet too; only its net.error tells them apart (1:
	 * the packet buffer could not grow; 2: the socket failed), as
	 * measured on Connector/C 3.3. Such a row fails every time: said so,
	 * with a code of its own. */
	if (err->code == CR_SERVER_LOST && m->net.error == 1) {
		err->code = CR_NET_PACKET_TOO_LARGE;
		snprintf(err->message, sizeof(err->message), "a packet from the "
			 "server is larger than the client's max_allowed_packet "
			 "(%lu bytes): a row too large to read (raise "
			 "max_allowed_packet in the option file, in bytes)",
			 (unsigned long)m->net.max_packet_size);
	}
}

/* The SET statements of connpool_session_sql (see connpool.h). */
static void make_session_sql(connpool *p)
{
	const struct env_config *env = p->env;
	/* below read-timeout: a second, or half of it when it is one */
	double limit = env->read_timeout > 1 ? env->read_timeout - 1.0 : 0.5;
	/* a lock wait longer than the statement may run would never end
	 * in 1205 */
	unsigned wait = env->lock_wait_timeout < limit ? env->lock_wait_timeout
		       : limit >= 1 ? (unsigned)limit : 1;

	p->init_sql = xasprintf("SET time_zone = '+00:00', sql_mode = '', "
				"lock_wait_timeout = %u, "
				"innodb_lock_wait_timeout = %u", wait, wait);
	p->mariadb_sql = xasprintf("%s, max_statement_time = %g", p->init_sql,
				   limit);
	p->mysql_sql = xasprintf("%s, max_execution_time = %.0f", p->init_sql,
				 limit * 1000);
}

const char *connpool_session_sql(connpool *p, MYSQL *m)
{
	unsigned long version = mysql_get_server_version(m);

	if (strstr(mysql_get_server_info(m), "MariaDB") != NULL)
		return version >= 100100 ? p->mariadb_sql : p->init_sql;
	return version >= 50708 ? p->mysql_sql : p->init_sql;
}

connpool *connpool_new(const struct env_config *env, enum tls_mode tls)
{
	connpool *p = xcalloc(1, sizeof(*p));

	p->idle = xcalloc(env->pool, sizeof(*p->idle));
	p->busy = xcalloc(env->pool, sizeof(*p->busy));
	/* an interrupt's and the deadlines' together */
	p->kill_ids = xcalloc(2 * (size_t)env->pool, sizeof(*p->kill_ids));
	/* Out of descriptors (EMFILE) the connects will fail too, and say so;
	 * poll() skips a negative descriptor, so the pool works without it. */
	p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->env = env;
	p->tls = tls;
	p->seed = (unsigned)(uintptr_t)p ^ (unsigned)(clock_seconds() * 1e6);
	make_session_sql(p);
	p->limit = env->pool;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	return p;
}

void connpool_offer_local_data(connpool *p)
{
	p->local_data = 1;
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
	free(p->kill_ids);
	free(p->init_sql);
	free(p->mariadb_sql);
	free(p->mysql_sql);
	free(p);
}

static void set_error(struct connpool_error *err, unsigned code,
		      const char *message)
{
	err->code = code;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "HY000");
	snprintf(err->message, sizeof(err->message), "%s", message);
}

static void set_interrupted(struct connpool_error *err)
{
	set_error(err, 0, "interrupted");
}

/* What the server sent first, still unread on `fd` (greeting.h). */
static enum greeting peek_greeting(int fd)
{
	unsigned char b[1100];
	ssize_t n = recv(fd, b, sizeof(b), MSG_PEEK | MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
		       ? GREETING_INCOMPLETE : GREETING_NOT;
	/* end of stream: the library reads it and says so */
	return n == 0 ? GREETING_NOT : greeting_parse(b, (size_t)n);
}

/* How long the control connection of connpool_kill_queries may take to
 * connect, and to answer: it runs while the user waits for rhizome to
 * stop. */
#define CONTROL_TIMEOUT 2u

/*
 * Drive a non-blocking connect, begun at `started`, to its end. Returns 0
 * when done (connected or failed, see *ret); -ECANCELED when the pool was
 * interrupted first; -EPROTO when TLS is required and the
 * server's greeting offers none: the library would go on and log in in
 * plain text (Connector/C 3.3 refuses that only while verifying the
 * certificate), so the connect stops before any credential is sent. (A
 * greeting the library read before its first wait is not seen here:
 * open_connection checks the cipher after.) `control`: the control
 * connection, which runs after the interrupt and gives up (-ETIMEDOUT)
 * after CONTROL_TIMEOUT whatever an option file says.
 */
static int finish_connect(connpool *p, MYSQL *m, MYSQL **ret, int status,
			  double started, int control)
{
	double deadline = started + (control ? CONTROL_TIMEOUT
					     : p->env->connect_timeout);
	int greeted = 0;

	while (status != 0) {
		struct pollfd fds[2] = {
			{ .fd = (int)mysql_get_socket(m), .events = 0 },
			{ .fd = control ? -1 : p->wake_fd, .events = POLLIN },
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
		if (control) {
			int left = (int)((deadline - clock_seconds()) * 1000);

			if (left <= 0)
				return -ETIMEDOUT;
			if (timeout < 0 || timeout > left)
				timeout = left;
		}
		n = poll(fds, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (fds[1].revents != 0)
			return -ECANCELED;
		/* The first bytes to read are the greeting: read whole
		 * before the library may answer it (a greeting split across
		 * segments must not slip through), in 1 ms naps (the bytes
		 * already there keep the socket readable), until the connect
		 * times out. */
		if (!greeted && (fds[0].revents & POLLIN)) {
			enum greeting g = peek_greeting(fds[0].fd);

			if (g == GREETING_INCOMPLETE &&
			    clock_seconds() < deadline) {
				(void)poll(&fds[1], 1, 1);
				continue;
			}
			greeted = 1;
			if (g == GREETING_NO_TLS && p->tls >= TLS_REQUIRED)
				return -EPROTO;
		}
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
 * as a timeout (`seconds`: how long it took; negative: not a timeout).
 * libmariadb's own message comes last.
 */
static void explain_connect_error(const struct env_config *env,
				  enum tls_mode tls, struct connpool_error *err,
				  double seconds)
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
	if (tls >= TLS_REQUIRED)
		strbuf_addf(&sb, ", tls = %s", config_tls_name(tls));
	strbuf_adds(&sb, "): ");
	/* A connect that used up its timeout timed out, whatever the
	 * library's words (2013 "Lost connection ... reading initial
	 * communication packet", 2002 "(110)"). */
	if (seconds >= 0 && seconds + 0.25 >= (double)env->connect_timeout)
		strbuf_addf(&sb, "timed out after %u s (connect-timeout); ",
			    env->connect_timeout);
	strbuf_adds(&sb, err->message);
	/* cut to the message's size: the library's words are the end of it */
	snprintf(err->message, sizeof(err->message), "%s", sb.data);
	strbuf_release(&sb);
}

/* The environment's TLS settings, as libmariadb 3.3 takes them: a CA makes
 * it check the chain during the handshake; ssl-verify-server-cert checks
 * the chain and the host name, and refuses a server without TLS. */
static void set_tls(MYSQL *m, const struct env_config *env, enum tls_mode tls)
{
	my_bool on = 1, verify = tls == TLS_VERIFY_IDENTITY;

	if (tls == TLS_DISABLED)
		return;
	/* use_ssl: TLS whenever the server offers it (see finish_connect for
	 * a server that does not) */
	mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
	mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
	if (env->tls.ca != NULL)
		mysql_optionsv(m, MYSQL_OPT_SSL_CA, env->tls.ca);
	if (env->tls.cert != NULL)
		mysql_optionsv(m, MYSQL_OPT_SSL_CERT, env->tls.cert);
	if (env->tls.key != NULL)
		mysql_optionsv(m, MYSQL_OPT_SSL_KEY, env->tls.key);
}

/* Open one connection with every option set; `control` as finish_connect
 * says. Returns it, or NULL with *err filled. Runs without the lock. */
static MYSQL *open_connection(connpool *p, struct connpool_error *err,
			      int control)
{
	const struct env_config *env = p->env;
	MYSQL *m = mysql_init(NULL), *ret = NULL;
	my_bool off = 0;
	const char *password = NULL;
	double started = clock_seconds();
	int status, rc;

	if (m == NULL) {
		set_error(err, 2008 /* CR_OUT_OF_MEMORY */,
			  "mysql_init: out of memory");
		return NULL;
	}
	if (control) {
		unsigned t = CONTROL_TIMEOUT;

		mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &t);
		mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &t);
		mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &t);
	} else {
		mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &env->connect_timeout);
		mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &env->read_timeout);
		mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &env->write_timeout);
	}
	mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);
	/* before anything reaches the server: a request for a local file is
	 * refused, whatever an option file says (localinfile.h) */
	localinfile_refuse(m);
	if (p->local_data) {
		/* on, not libmariadb's "auto", which takes a request only
		 * when the query starts with LOAD: ours start with the
		 * session's SET */
		unsigned on = 1;

		mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &on);
	}
	mysql_optionsv(m, MYSQL_INIT_COMMAND, p->init_sql);
	/* Only the connect is non-blocking (see the top); queries block. */
	mysql_optionsv(m, MYSQL_OPT_NONBLOCK, 0);
	/* Identifiers and comments may hold any Unicode character. */
	mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	set_tls(m, env, p->tls);
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
	rc = finish_connect(p, m, &ret, status, started, control);
	switch (rc) {
	case 0:
		break;
	case -ECANCELED:
		set_interrupted(err);
		goto fail;
	case -ETIMEDOUT: /* the control connection's own bound */
		set_error(err, 2003 /* CR_CONN_HOST_ERROR */, "no answer within "
			  "the control connection's time");
		goto fail;
	default: /* -EPROTO (finish_connect returns nothing else) */
		set_error(err, 2026 /* CR_SSL_CONNECTION_ERROR */,
			  "TLS is required, but the server does not offer it "
			  "(closed before logging in)");
		explain_connect_error(env, p->tls, err, -1);
		goto fail;
	}
	if (ret == NULL) {
		connpool_error_capture(err, m);
		explain_connect_error(env, p->tls, err, clock_seconds() - started);
		goto fail;
	}
	/* On a fast link (loopback) the library can read the greeting before
	 * its first wait, unseen by finish_connect, and log in: then the
	 * connection is closed here, before any query of ours (the login went
	 * out in the clear, and the init command's SET). */
	if (p->tls >= TLS_REQUIRED && mysql_get_ssl_cipher(m) == NULL) {
		set_error(err, 2026 /* CR_SSL_CONNECTION_ERROR */,
			  "TLS is required, but the server does not offer it "
			  "(closed after logging in, before any query)");
		explain_connect_error(env, p->tls, err, -1);
		goto fail;
	}
	/* An option file is read at connect time, after our options, and can
	 * switch auto-reconnect on: a silent reconnect would go on without
	 * this session's settings (the time zone of data batches), and wrong
	 * data is worse than an error. Off again, whatever the file said (the
	 * command line warns when a file asks for it). */
	mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);
	/* It can also name another character set: text would then arrive
	 * mangled ("?" for what latin1 cannot hold) with nothing failing.
	 * Costs a round trip only in that case. */
	if (strcmp(mysql_character_set_name(m), "utf8mb4") != 0 &&
	    mysql_set_character_set(m, "utf8mb4") != 0) {
		connpool_error_capture(err, m);
		goto fail;
	}
	return m;

fail:
	mysql_close(m);
	return NULL;
}

/* A connect failure that may pass: nothing listening yet (2002, 2003), a
 * name not resolving (2005), no answer in time or the connection dropped
 * at the greeting (2013), the server full (1040, 1203). Not a wrong
 * password, a blocked host or TLS (1045, 1129, 2026): trying again changes
 * nothing, or makes things worse. */
static int connect_transient(unsigned code)
{
	return code == 2002 || code == 2003 || code == 2005 || code == 2013 ||
	       code == 1040 || code == 1203;
}

/* Wait before connect attempt `attempt` (engine/base/backoff.h). Returns
 * -ECANCELED at once when the pool is interrupted (its eventfd turns
 * readable). */
static int connect_pause(connpool *p, unsigned attempt)
{
	struct pollfd wake = { .fd = p->wake_fd, .events = POLLIN };
	double s = backoff_seconds(attempt, &p->seed);

	return poll(&wake, 1, (int)(s * 1000)) > 0 ? -ECANCELED : 0;
}

/*
 * The pool's only connect (its failure would make the pool dead: the first
 * one, or one after every connection was lost, as in a server restart):
 * tried again after a transient failure with backoff, so a server starting
 * up or briefly full is not a failed environment: env->retries times for
 * a server never reached; for one that served this run (`reached`: it is
 * restarting, most likely), for as long as retries + 1 connect timeouts.
 * The error of the last attempt says how many there were. Runs without
 * the lock; p->seed is this thread's meanwhile (no other connect runs).
 */
static MYSQL *connect_with_retries(connpool *p, struct connpool_error *err,
				   int reached)
{
	double until = clock_seconds() + (double)p->env->connect_timeout *
					 (p->env->retries + 1);
	unsigned attempt;
	MYSQL *m;

	for (attempt = 1;; attempt++) {
		m = open_connection(p, err, 0);
		if (m != NULL || !connect_transient(err->code) ||
		    (reached ? clock_seconds() >= until
			     : attempt > p->env->retries))
			break;
		if (connect_pause(p, attempt) != 0) {
			set_interrupted(err);
			break;
		}
	}
	if (m == NULL && attempt > 1 && connect_transient(err->code)) {
		char msg[sizeof(err->message)];

		snprintf(msg, sizeof(msg), "%.480s (%u attempts)", err->message,
			 attempt);
		memcpy(err->message, msg, sizeof(msg));
	}
	return m;
}

/* Whether the server has spoken to, or hung up on, an idle connection:
 * nothing is owed to one, so anything readable is its goodbye (the error
 * packet of wait_timeout or a KILL, then the close). Checked without
 * waiting, by the thread about to use m. */
static int server_hung_up(MYSQL *m)
{
	struct pollfd pfd = {
		.fd = (int)mysql_get_socket(m),
		.events = POLLIN | POLLRDHUP,
	};

	return poll(&pfd, 1, 0) > 0;
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
			if (server_hung_up(m)) {
				/* its slot is free: the loop opens another */
				pthread_mutex_unlock(&p->lock);
				mysql_close(m);
				m = NULL;
				pthread_mutex_lock(&p->lock);
				pthread_cond_broadcast(&p->changed);
				continue;
			}
			*reused = 1;
			break;
		}
		if (p->dead) {
			*err = p->dead_error;
			rc = p->logged_in ? -ECONNABORTED : -ENOTCONN;
			goto fail_locked;
		}
		/* Until a connection has logged in, one connect at a time:
		 * a wrong password is one attempt, never one per pool slot
		 * (a server counts those against max_connect_errors and may
		 * block the host), and a server without the TLS required is
		 * refused once. Overlapping them up to the greeting was
		 * tried: a client slowed down (TSan, a loaded machine) lets
		 * the library read a greeting and answer it before rhizome
		 * can hold it back, so it was not one attempt. The first
		 * connection's batch runs while the others connect. */
		if (p->nidle + p->nbusy + p->connecting < p->limit &&
		    (p->logged_in || p->connecting == 0)) {
			/* the only one: a failure would make the pool dead */
			int alone = p->nidle + p->nbusy + p->connecting == 0;
			int reached = p->logged_in;

			p->connecting++;
			pthread_mutex_unlock(&p->lock);
			m = alone ? connect_with_retries(p, err, reached)
				  : open_connection(p, err, 0);
			pthread_mutex_lock(&p->lock);
			p->connecting--;
			if (m != NULL)
				p->logged_in = 1;
			pthread_cond_broadcast(&p->changed);
			if (m != NULL) {
				*reused = 0;
				break;
			}
			if (p->interrupted)
				goto fail_locked;
			/* Never logged in: the environment cannot be reached. */
			if (p->logged_in &&
			    p->nidle + p->nbusy + p->connecting > 0) {
				/* The server serves some but refuses more (say,
				 * max_user_connections): live with what works,
				 * and wait for one of those. */
				p->limit = p->nidle + p->nbusy + p->connecting;
				continue;
			}
			p->dead = 1;
			p->dead_error = *err;
			rc = p->logged_in ? -ECONNABORTED : -ENOTCONN;
			goto fail_locked;
		}
		pthread_cond_wait(&p->changed, &p->lock);
	}
	if (p->interrupted) {
		p->idle[p->nidle++] = m;
		set_interrupted(err);
		goto fail_locked;
	}
	/* A descriptor of our own for the socket: libmariadb closes its own
	 * on a read error, and an interrupt or a deadline must not then shut
	 * down whatever socket got that number next. */
	fd = fcntl((int)mysql_get_socket(m), F_DUPFD_CLOEXEC, 0);
	p->busy[p->nbusy].m = m;
	p->busy[p->nbusy].fd = fd;
	p->busy[p->nbusy].thread_id = mysql_thread_id(m);
	p->busy[p->nbusy].deadline = 0;
	p->busy[p->nbusy].expired = 0;
	p->nbusy++;
	pthread_mutex_unlock(&p->lock);
	*out = m;
	return 0;

fail_locked:
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* The busy entry of `m`, or NULL. Caller holds p->lock. */
static struct busy_conn *busy_of(connpool *p, MYSQL *m)
{
	unsigned i;

	for (i = 0; i < p->nbusy; i++)
		if (p->busy[i].m == m)
			return &p->busy[i];
	return NULL;
}

void connpool_set_deadline(connpool *p, MYSQL *m, double deadline)
{
	struct busy_conn *b;

	pthread_mutex_lock(&p->lock);
	if ((b = busy_of(p, m)) != NULL)
		b->deadline = deadline;
	pthread_mutex_unlock(&p->lock);
}

int connpool_expired(connpool *p, MYSQL *m)
{
	struct busy_conn *b;
	int expired;

	pthread_mutex_lock(&p->lock);
	b = busy_of(p, m);
	expired = b != NULL && b->expired;
	pthread_mutex_unlock(&p->lock);
	return expired;
}

int connpool_enforce_deadlines(connpool *p, double now)
{
	unsigned i;
	int n = 0;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nbusy; i++) {
		struct busy_conn *b = &p->busy[i];

		if (b->expired || b->deadline == 0 || now < b->deadline)
			continue;
		b->expired = 1;
		/* the blocked read returns at once; the query is killed
		 * below, as after an interrupt */
		if (b->fd >= 0)
			shutdown(b->fd, SHUT_RDWR);
		if (p->nkill < 2 * p->env->pool)
			p->kill_ids[p->nkill++] = b->thread_id;
		n++;
	}
	pthread_mutex_unlock(&p->lock);
	if (n > 0)
		(void)connpool_kill_queries(p);
	return n;
}

void connpool_release(connpool *p, MYSQL *m, int broken)
{
	struct busy_conn *b;
	int close_it;

	if (m == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if ((b = busy_of(p, m)) != NULL) {
		broken |= b->expired; /* its socket is shut */
		if (b->fd >= 0)
			close(b->fd);
		*b = p->busy[--p->nbusy];
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
	if (!p->interrupted) {
		/* what connpool_kill_queries will stop on the server */
		for (i = 0; i < p->nbusy && p->nkill < 2 * p->env->pool; i++)
			if (!p->busy[i].expired) /* killed already */
				p->kill_ids[p->nkill++] = p->busy[i].thread_id;
	}
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

/* KILL QUERY ids[from..n) over m; returns the index of the first the
 * connection itself failed on (it may not have reached the server), or n.
 * One at a time: one that finished meanwhile (1094, unknown thread) must
 * not keep the others running; a pool holds a handful. */
static unsigned send_kills(MYSQL *m, const unsigned long *ids, unsigned from,
			   unsigned n)
{
	char sql[64];

	for (; from < n; from++) {
		snprintf(sql, sizeof(sql), "KILL QUERY %lu", ids[from]);
		if (mysql_query(m, sql) != 0 && mysql_errno(m) >= 2000)
			return from;
	}
	return n;
}

int connpool_kill_queries(connpool *p)
{
	unsigned long *ids = xcalloc(2 * (size_t)p->env->pool, sizeof(*ids));
	struct connpool_error err;
	unsigned n, done = 0;
	MYSQL *m = NULL;
	int rc = 0, from_idle = 0;

	pthread_mutex_lock(&p->lock);
	n = p->nkill;
	memcpy(ids, p->kill_ids, n * sizeof(ids[0]));
	p->nkill = 0;
	/* An idle connection, if any, needs no connect (this thread's while
	 * out of the idle stack; given back afterwards unless interrupted) */
	if (n > 0 && p->nidle > 0) {
		m = p->idle[--p->nidle];
		from_idle = 1;
	}
	pthread_mutex_unlock(&p->lock);
	if (n == 0)
		goto out;
	if (from_idle) {
		/* one the server closed, or that fails on the way, leaves the
		 * rest to a control connection */
		done = server_hung_up(m) ? 0 : send_kills(m, ids, 0, n);
		/* a slot counts it: back where it came from, or closed */
		connpool_release(p, m, done < n);
		if (done == n)
			goto out;
	}
	/* Else one more, checked as the pool's are (TLS before the login),
	 * within CONTROL_TIMEOUT. */
	if ((m = open_connection(p, &err, 1)) == NULL) {
		rc = -ENOTCONN;
		goto out;
	}
	if (send_kills(m, ids, done, n) < n)
		rc = -EIO;
	mysql_close(m);
out:
	free(ids);
	return rc;
}
