/*
 * fault_proxy: a TCP proxy on 127.0.0.1 for the fault tests and the
 * benchmarks. It makes a loopback server look as if it sat across a
 * network that is slow, or failing in one of the ways RELIABILITY.md lists:
 *
 *   latency   each direction gets a one-way delay plus seeded uniform
 *             jitter, so a round trip grows by twice the delay;
 *   trickle   each direction is capped at B bytes per second (or K kbit/s);
 *   reset     after N bytes server->client, both sides get a TCP RST;
 *   stall     after N bytes server->client, nothing more either way, both
 *             sides kept open;
 *   blackhole connections are accepted and never answered (open ones stop
 *             forwarding, as a stall);
 *   refuse    nothing listening: the listening socket is closed, so a
 *             connect is refused, until the mode changes again.
 *
 * The options set the starting mode. With --control FIFO, one command per
 * line written to the FIFO switches modes while connections are open
 * (see usage()); the proxy answers each on stdout ("control: ok LINE" or
 * "control: error ..."), so a test waits for the answer before it goes on.
 *
 * Design: one thread, one event loop (epoll), non-blocking sockets. Every chunk
 * read from a socket is stamped with the time it may leave (arrival + delay
 * + jitter, later if the capped link is still busy) and appended to that
 * direction's FIFO; the loop writes chunks whose time has come and sleeps
 * until the earliest pending one. Reading never waits for writing, so a
 * stream keeps flowing at full speed, merely shifted by the delay (sleeping
 * before each forward would cap throughput at one chunk per delay and make
 * concurrent connections wait on each other). Release times never decrease
 * within a direction, so jitter cannot reorder bytes. A new delay or cap
 * applies to chunks read after the change.
 *
 * Closing: EOF from one side becomes shutdown(SHUT_WR) towards the other
 * once everything read before it has been delivered; a pair is freed when
 * both directions are finished. A failed write means that peer is gone:
 * data still queued for it is dropped and nothing more is read from it.
 *
 * Faults after N bytes hit the first C connections accepted after the
 * fault was set (--fault-connections, or its older name
 * --reset-connections; 0: all), and, when set through the control FIFO,
 * every connection open at the time too, N bytes after the switch. The
 * chunk that crosses the fault point is cut there. Then
 *  - reset, a connection lost mid-result: both of its
 *    sockets are closed with a TCP RST (SO_LINGER 0) and whatever is
 *    queued either way is dropped. A RST also discards what our send
 *    buffer still holds, so the reset waits until the kernel has sent the
 *    N bytes, or until the client has taken none for a second (it may
 *    never read);
 *  - stall, a server that stops answering mid-result:
 *    nothing more is forwarded either way and what is queued is dropped,
 *    but both sockets stay open, and out of epoll but for the client's
 *    hang-up (EPOLLRDHUP), so the stall costs no CPU and only the client's
 *    own read timeout ends it. When the client closes, the server side is
 *    closed too, or, with --hold-stalled, kept open until exit (a network
 *    that lost the connection: the server never hears the client go).
 *    (A client that had already shut down its sending side cannot be seen
 *    closing: such a pair is held until exit.)
 *
 * Counters (connections, round trips = client->server chunks that follow
 * server->client data on the same connection or open it, bytes each way,
 * resets done, and stalls: connections stalled or held by the blackhole)
 * go to --count-file at exit, on SIGUSR1 and on the control command
 * "counts", written atomically (temporary file, rename) so a script never
 * reads half a line.
 *
 * Not emulated: the TCP handshake itself. connect() to the proxy returns at
 * once and the server greeting arrives one delay later, so opening a
 * connection costs about one and a half round trips less than on a real link.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "options.h"

#define READ_SIZE    65536
/* Stop reading a source while this much is queued for its destination:
 * bounds memory when one side is slow, and a cap this large never limits
 * throughput at the delays a benchmark uses (8 MiB / 10 ms = 800 MiB/s). */
#define QUEUE_MAX    (8u << 20)
#define NS_PER_MS    1000000ull
#define MAX_EVENTS   512
/* A reset waiting for its last bytes to leave looks again this often, and
 * gives up on a client that has taken nothing for RESET_STALL_NS. */
#define RESET_POLL_NS  NS_PER_MS
#define RESET_STALL_NS (1000 * NS_PER_MS)

enum fault { FAULT_NONE = 0, FAULT_RESET, FAULT_STALL };
/* How many connections a fault hits when it hits them all. */
#define EVERY_CONNECTION UINT64_MAX
/* The longest control line; longer ones are refused whole. */
#define CONTROL_LINE 256

enum { UP = 0, DOWN = 1 };          /* UP: client->server; DOWN: server->client */
enum { CLIENT = 0, SERVER = 1 };

struct chunk {
	struct chunk *next;
	uint64_t due_ns;                /* CLOCK_MONOTONIC time it may be written */
	size_t len;
	size_t off;                     /* bytes of data already written */
	unsigned char data[];
};

struct direction {
	struct chunk *head, *tail;
	size_t queued;                  /* bytes read but not yet written */
	uint64_t last_due;              /* release times never go backwards */
	uint64_t link_free;             /* when the capped link is free again */
	uint64_t written;               /* bytes written to the destination */
	int src_done;                   /* EOF or error on the source: read no more */
	int src_eof;                    /* of those, an EOF: the source shut down writing */
	int dst_done;                   /* destination shut down or gone */
	int blocked;                    /* last write hit EAGAIN: wait for EPOLLOUT */
};

/* Direction d reads fd[d] and writes fd[1 - d]. */
struct conn {
	struct conn *next;
	int fd[2];                      /* [CLIENT], [SERVER] */
	int connecting;                 /* non-blocking connect to the target pending */
	int failed;                     /* free at once, dropping queued data */
	int last_dir;                   /* direction of the previous chunk, -1 none */
	enum fault fault;               /* what happens at fault_at, FAULT_NONE: nothing */
	uint64_t fault_at;              /* server->client bytes written when it happens */
	int stalled;                    /* --stall-after-bytes reached: forward nothing */
	int draining;                   /* its N bytes are written: reset once they left */
	int drain_left;                 /* of those, bytes still unsent at the last look */
	uint64_t drain_stall_ns;        /* reset anyway if none leave before this */
	uint32_t armed[2];              /* events registered with epoll, 0: not registered */
	struct endpoint {
		struct conn *c;
		int side;
	} ep[2];                        /* what an epoll event points at */
	struct direction dir[2];
};

/* What the options set; the control FIFO changes the mode fields
 * (delay to refuse) while the proxy runs. */
struct opts {
	int listen_port;
	const char *target;
	const char *control;            /* --control FIFO, or NULL */
	uint64_t seed;
	const char *count_file;
	int hold_server;                /* --hold-stalled: a stalled pair's server
					 * side outlives its client */
	/* the mode */
	uint64_t delay_ns;
	uint64_t jitter_ns;
	uint64_t bandwidth_bps;         /* bits per second each way, 0: unlimited */
	enum fault fault;               /* for new connections: reset or stall */
	uint64_t fault_after_bytes;     /* N */
	uint64_t fault_left;            /* new connections it still hits, or EVERY_CONNECTION */
	int blackhole;                  /* accept, never answer */
	int refuse;                     /* not listening */
};

struct stats {
	uint64_t connections;
	uint64_t round_trips;
	uint64_t bytes_up;
	uint64_t bytes_down;
	uint64_t resets;
	uint64_t stalls;
	/* Self-check, printed to stderr at exit: how long after its due time
	 * each chunk was first written. That is latency beyond the delay the
	 * proxy adds, its own work plus waiting for a CPU; a benchmark whose
	 * mean lateness is not small next to the delay measured a busy machine. */
	uint64_t chunks;
	uint64_t late_sum_ns;
	uint64_t late_max_ns;
	uint64_t late_over_1ms;
};

static volatile sig_atomic_t got_exit;
static volatile sig_atomic_t got_dump;

static struct stats stats;
static uint64_t rng_state;
static unsigned char read_buf[READ_SIZE];

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_dump = 1;
	else
		got_exit = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* splitmix64: tiny, seedable, and good enough for jitter. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fault_proxy --listen PORT --target HOST:PORT --delay-ms D\n"
		"                   [--jitter-ms J] [--seed S]\n"
		"                   [--bandwidth-kbps K | --trickle-bytes B]\n"
		"                   [--reset-after-bytes N | --stall-after-bytes N]\n"
		"                   [--fault-connections C] [--hold-stalled]\n"
		"                   [--blackhole] [--control FIFO] [--count-file FILE]\n"
		"\n"
		"Forward TCP connections accepted on 127.0.0.1:PORT to HOST:PORT, adding\n"
		"D ms (plus uniform jitter in [0,J] ms, seeded by S) of one-way delay to\n"
		"each direction: a round trip grows by 2*D. D and J may have decimals\n"
		"(0.5); D may be 0. --listen 0 picks a free port.\n"
		"--bandwidth-kbps caps each direction to K kilobits per second,\n"
		"--trickle-bytes to B bytes per second.\n"
		"--reset-after-bytes forwards N bytes server->client, then resets the\n"
		"connection (TCP RST to both sides; N = 0: once the target accepted it).\n"
		"--stall-after-bytes forwards N bytes server->client, then nothing more\n"
		"either way, keeping both sides open until the client closes;\n"
		"with --hold-stalled the server side stays open after that, until\n"
		"the proxy exits (a network that lost the connection: the server\n"
		"never hears the client go).\n"
		"Either fault hits the first C connections only (--fault-connections C,\n"
		"or --reset-connections C; default 1; 0: every connection).\n"
		"--blackhole accepts connections and never answers them.\n"
		"\n"
		"--control FIFO (made if missing) takes one command per line, applied\n"
		"at once, also to the connections already open:\n"
		"  delay D [J]        the one-way delay and jitter, in ms\n"
		"  trickle B          cap each direction at B bytes/s (0: no cap)\n"
		"  reset N [C]        open connections reset after N more bytes\n"
		"  stall N [C]        server->client, new ones after N; C: how many\n"
		"                     new ones (default and 0: all)\n"
		"  blackhole          open connections stall, new ones get no answer\n"
		"  refuse             stop listening: connects are refused\n"
		"  pass               forward again: no fault, no blackhole, listening\n"
		"                     (stalled connections stay stalled)\n"
		"  counts             write the counters now\n"
		"and answers each on stdout: 'control: ok LINE' or 'control: error ...'.\n"
		"\n"
		"Prints 'listening on 127.0.0.1:PORT' once ready. On SIGUSR1 and at exit\n"
		"(SIGTERM, SIGINT) writes 'connections=N round_trips=M bytes_up=U\n"
		"bytes_down=D resets=R stalls=S' to FILE (to stderr at exit without\n"
		"--count-file).\n");
}

/* Milliseconds with up to six decimals ("0.5": a 1 ms round trip), as
 * nanoseconds; at most an hour. */
static int parse_ms(const char *s, uint64_t *ns)
{
	uint64_t ms = 0, frac = 0, scale = NS_PER_MS;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		ms = ms * 10 + (uint64_t)(*p - '0');
		if (ms > 3600 * 1000)
			return -1;
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale == 1)
				return -1; /* finer than a nanosecond */
			scale /= 10;
			frac += (uint64_t)(*p - '0') * scale;
		}
	}
	if (*p != '\0')
		return -1;
	*ns = ms * NS_PER_MS + frac;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "target", required_argument, NULL, 't' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "jitter-ms", required_argument, NULL, 'j' },
		{ "seed", required_argument, NULL, 's' },
		{ "bandwidth-kbps", required_argument, NULL, 'b' },
		{ "trickle-bytes", required_argument, NULL, 'T' },
		{ "blackhole", no_argument, NULL, 'B' },
		{ "control", required_argument, NULL, 'C' },
		{ "count-file", required_argument, NULL, 'c' },
		{ "reset-after-bytes", required_argument, NULL, 'r' },
		{ "stall-after-bytes", required_argument, NULL, 'S' },
		{ "fault-connections", required_argument, NULL, 'k' },
		{ "reset-connections", required_argument, NULL, 'k' },
		{ "hold-stalled", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opt_parser p;
	const char *conns_opt = NULL;   /* the name --fault-connections was given by */
	int have_listen = 0, have_delay = 0, have_reset = 0, have_stall = 0, have_cap = 0, c;
	char msg[128];
	uint64_t v;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->fault_left = 1;
	opt_init(&p, "fault_proxy", argc, argv, longopts, usage);
	while ((c = opt_next(&p)) > 0) {
		switch (c) {
		case 'l':
			if (opt_u64(p.arg, 65535, &v) < 0)
				return opt_bad_value(&p);
			o->listen_port = (int)v;
			have_listen = 1;
			break;
		case 't':
			o->target = p.arg;
			break;
		case 'd':
			if (parse_ms(p.arg, &o->delay_ns) < 0)
				return opt_bad_value(&p);
			have_delay = 1;
			break;
		case 'j':
			if (parse_ms(p.arg, &o->jitter_ns) < 0)
				return opt_bad_value(&p);
			break;
		case 's':
			if (opt_u64(p.arg, UINT64_MAX, &o->seed) < 0)
				return opt_bad_value(&p);
			break;
		case 'b':
		case 'T':
			if (opt_u64(p.arg, UINT32_MAX, &v) < 0)
				return opt_bad_value(&p);
			o->bandwidth_bps = c == 'b' ? v * 1000 : v * 8;
			have_cap++;
			break;
		case 'B':
			o->blackhole = 1;
			break;
		case 'C':
			o->control = p.arg;
			break;
		case 'c':
			o->count_file = p.arg;
			break;
		case 'r':
		case 'S':
			if (opt_u64(p.arg, UINT64_MAX, &o->fault_after_bytes) < 0)
				return opt_bad_value(&p);
			if (c == 'r') {
				o->fault = FAULT_RESET;
				have_reset = 1;
			} else {
				o->fault = FAULT_STALL;
				have_stall = 1;
			}
			break;
		case 'k':
			if (opt_u64(p.arg, UINT64_MAX, &o->fault_left) < 0)
				return opt_bad_value(&p);
			if (o->fault_left == 0)
				o->fault_left = EVERY_CONNECTION;
			conns_opt = longopts[p.index].name;
			break;
		case 'H':
			o->hold_server = 1;
			break;
		}
	}
	if (c < 0)
		return c;
	if (optind != argc || !have_listen || !have_delay || o->target == NULL)
		return opt_usage_error(&p, "--listen, --target and --delay-ms are required");
	if (o->hold_server && !have_stall && !o->blackhole && o->control == NULL) {
		fprintf(stderr, "fault_proxy: --hold-stalled needs --stall-after-bytes, "
			"--blackhole or --control\n");
		return OPT_USAGE;
	}
	if (have_cap > 1) {
		fprintf(stderr, "fault_proxy: --bandwidth-kbps and --trickle-bytes exclude each other\n");
		return OPT_USAGE;
	}
	if (have_reset && have_stall) {
		fprintf(stderr, "fault_proxy: --reset-after-bytes and --stall-after-bytes "
			"exclude each other\n");
		return OPT_USAGE;
	}
	/* alone it would do nothing, which a test would take for a fault */
	if (conns_opt != NULL && o->fault == FAULT_NONE) {
		(void)snprintf(msg, sizeof(msg), "--%s needs --reset-after-bytes or --stall-after-bytes",
			       conns_opt);
		return opt_usage_error(&p, msg);
	}
	return 0;
}

/* Resolve HOST:PORT (or [V6]:PORT) once at start-up: a benchmark target
 * does not move, and resolving per connection would add latency. */
static int resolve_target(const char *spec, struct sockaddr_storage *addr, socklen_t *len)
{
	char host[256];
	const char *colon, *port, *h = spec;
	size_t hlen;
	struct addrinfo hints, *res = NULL;
	int rc;

	colon = strrchr(spec, ':');
	if (colon == NULL || colon[1] == '\0')
		goto bad;
	port = colon + 1;
	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']') {
		h = spec + 1;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "fault_proxy: cannot resolve %s: %s\n", spec, gai_strerror(rc));
		return -1;
	}
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
bad:
	fprintf(stderr, "fault_proxy: --target must be HOST:PORT, got '%s'\n", spec);
	return -1;
}

static int open_listener(int port, int *out_port)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto fail;
	if (listen(fd, SOMAXCONN) < 0)
		goto fail;
	if (getsockname(fd, (struct sockaddr *)&sin, &slen) < 0)
		goto fail;
	*out_port = ntohs(sin.sin_port);
	return fd;
fail:
	fprintf(stderr, "fault_proxy: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void print_counts(FILE *f)
{
	fprintf(f, "connections=%" PRIu64 " round_trips=%" PRIu64 " bytes_up=%" PRIu64
		" bytes_down=%" PRIu64 " resets=%" PRIu64 " stalls=%" PRIu64 "\n", stats.connections,
		stats.round_trips, stats.bytes_up, stats.bytes_down, stats.resets, stats.stalls);
}

static int write_counts(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	int n;

	if (path == NULL) {
		print_counts(stderr);
		return 0;
	}
	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		goto fail;
	print_counts(f);
	if (fclose(f) != 0)
		goto fail;
	if (rename(tmp, path) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "fault_proxy: cannot write %s: %s\n", path, strerror(errno));
	unlink(tmp);
	return -1;
}

static void dir_clear(struct direction *d)
{
	struct chunk *c = d->head, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	d->head = d->tail = NULL;
	d->queued = 0;
}

static void conn_free(struct conn *c)
{
	dir_clear(&c->dir[UP]);
	dir_clear(&c->dir[DOWN]);
	if (c->fd[CLIENT] >= 0)
		close(c->fd[CLIENT]);
	if (c->fd[SERVER] >= 0)
		close(c->fd[SERVER]);
	free(c);
}

static void set_nodelay(int fd)
{
	int one = 1;

	/* Nagle would hold small packets back for an ACK that the delay makes
	 * late: the proxy would add latency of its own. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* A pair for a connection just accepted, connecting to the target; or,
 * in a blackhole, a client alone, stalled from the start (stall_begin()
 * comes later in the file, and counts nothing here). */
static struct conn *conn_new(int client_fd, const struct sockaddr_storage *target,
			     socklen_t target_len, int blackhole)
{
	struct conn *c;
	int fd;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->fd[CLIENT] = client_fd;
	c->fd[SERVER] = -1;
	c->last_dir = -1;
	c->ep[CLIENT].c = c;
	c->ep[CLIENT].side = CLIENT;
	c->ep[SERVER].c = c;
	c->ep[SERVER].side = SERVER;
	if (blackhole) {
		for (fd = UP; fd <= DOWN; fd++)
			c->dir[fd].src_done = 1;
		c->stalled = 1;
		stats.stalls++;
		return c;
	}
	fd = socket(target->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	c->fd[SERVER] = fd;
	set_nodelay(fd);
	if (connect(fd, (const struct sockaddr *)target, target_len) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		c->connecting = 1;
	}
	set_nodelay(client_fd);
	return c;
fail:
	fprintf(stderr, "fault_proxy: cannot connect to target: %s\n", strerror(errno));
	c->fd[CLIENT] = -1;     /* the caller still owns it on failure */
	conn_free(c);
	return NULL;
}

/* Stamp a chunk with its release time: the link (if capped) sends it after
 * the previous one, then it travels for delay + jitter; never earlier than
 * the chunk before it, so bytes stay in order. */
static uint64_t due_time(const struct opts *o, struct direction *d, uint64_t now, size_t len)
{
	uint64_t due, start = now;

	if (o->bandwidth_bps > 0) {
		if (d->link_free > start)
			start = d->link_free;
		/* len*8 bits at R bits/s = len*8e9/R ns */
		start += (uint64_t)len * 8000000000ull / o->bandwidth_bps;
		d->link_free = start;
	}
	due = start + o->delay_ns;
	if (o->jitter_ns > 0)
		due += rng_next() % (o->jitter_ns + 1);
	if (due < d->last_due)
		due = d->last_due;
	d->last_due = due;
	return due;
}

/* Read what the source has (up to the queue cap) into timestamped chunks.
 * Returns 0, or -1 when out of memory. */
static int conn_read(const struct opts *o, struct conn *c, int dirn, uint64_t now)
{
	struct direction *d = &c->dir[dirn];
	struct chunk *ch;
	ssize_t n;

	while (!d->src_done && d->queued < QUEUE_MAX) {
		n = recv(c->fd[dirn], read_buf, sizeof(read_buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			/* A reset source is as finished as a closed one; what it
			 * sent before still gets delivered. */
			d->src_done = 1;
			return 0;
		}
		if (n == 0) {
			d->src_done = 1;
			d->src_eof = 1;
			return 0;
		}
		ch = malloc(sizeof(*ch) + (size_t)n);
		if (ch == NULL)
			return -1;
		memcpy(ch->data, read_buf, (size_t)n);
		ch->len = (size_t)n;
		ch->off = 0;
		ch->next = NULL;
		ch->due_ns = due_time(o, d, now, (size_t)n);
		if (d->tail != NULL)
			d->tail->next = ch;
		else
			d->head = ch;
		d->tail = ch;
		d->queued += (size_t)n;

		if (dirn == UP) {
			stats.bytes_up += (uint64_t)n;
			/* A request after an answer, or a connection's first
			 * chunk when the client speaks first (not MySQL: its
			 * server greets, so this changes no MySQL count). */
			if (c->last_dir != UP)
				stats.round_trips++;
		} else {
			stats.bytes_down += (uint64_t)n;
		}
		c->last_dir = dirn;
	}
	return 0;
}

/* The destination of direction dirn is gone: drop what was queued for it,
 * and read no more from it (it is the source of the other direction). */
static void dst_gone(struct conn *c, int dirn)
{
	dir_clear(&c->dir[dirn]);
	c->dir[dirn].dst_done = 1;
	c->dir[dirn].src_done = 1;
	c->dir[1 - dirn].src_done = 1;
}

static void note_lateness(uint64_t late)
{
	stats.chunks++;
	stats.late_sum_ns += late;
	if (late > stats.late_max_ns)
		stats.late_max_ns = late;
	if (late > NS_PER_MS)
		stats.late_over_1ms++;
}

/* How much of len bytes direction dirn may still write: all of it, except
 * server->client on a connection with a fault, which stops at N. */
static size_t write_room(const struct conn *c, int dirn, size_t len)
{
	uint64_t left;

	if (dirn != DOWN || c->fault == FAULT_NONE)
		return len;
	left = c->fault_at - c->dir[DOWN].written;
	return left < len ? (size_t)left : len;
}

/* Write every chunk that is due. A chunk that only partly fits waits for
 * EPOLLOUT; the receiver being slow is not the proxy being late, so
 * lateness is taken at a chunk's first write only. */
static void conn_flush(struct conn *c, int dirn, uint64_t now)
{
	struct direction *d = &c->dir[dirn];
	int dst = c->fd[1 - dirn];
	struct chunk *ch;
	size_t len;
	ssize_t n;

	if (d->dst_done || d->blocked)
		return;
	while ((ch = d->head) != NULL && ch->due_ns <= now) {
		len = write_room(c, dirn, ch->len - ch->off);
		if (len == 0)
			return;         /* at the fault point: fault_reached() takes over */
		n = send(dst, ch->data + ch->off, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				d->blocked = 1;
				return;
			}
			dst_gone(c, dirn);
			return;
		}
		if (ch->off == 0)
			note_lateness(now - ch->due_ns);
		ch->off += (size_t)n;
		d->queued -= (size_t)n;
		d->written += (uint64_t)n;
		if ((size_t)n < len) {
			d->blocked = 1;         /* socket buffer full */
			return;
		}
		if (ch->off < ch->len)
			return;                 /* cut at the fault point */
		d->head = ch->next;
		if (d->head == NULL)
			d->tail = NULL;
		free(ch);
	}
}

/* Pass an EOF on: shut the destination down for writing once the source
 * has ended and everything read before the end has been written. Done
 * after both directions were flushed, since a failed write in one ends
 * the source of the other. */
static void conn_settle(struct conn *c, int dirn)
{
	struct direction *d = &c->dir[dirn];

	if (!d->dst_done && d->src_done && d->head == NULL) {
		(void)shutdown(c->fd[1 - dirn], SHUT_WR);
		d->dst_done = 1;
	}
}

static int conn_finished(const struct conn *c)
{
	return c->failed || (!c->draining && !c->stalled && c->dir[UP].dst_done &&
			     c->dir[DOWN].dst_done);
}

/* Has a connection with a fault had its N bytes? Checked after flushing and
 * before passing an EOF on, so the client sees the reset or the stall, not
 * an EOF, even when the server's answer ends at byte N. */
static int fault_reached(const struct conn *c)
{
	return c->fault != FAULT_NONE && c->dir[DOWN].written >= c->fault_at;
}

/* Stop forwarding: drop what is queued either way and read no more. With
 * nothing to read or write, want_events() takes both sockets out of epoll
 * (a stall keeps watching the client's hang-up only). */
static void forward_stop(struct conn *c)
{
	int dirn;

	for (dirn = UP; dirn <= DOWN; dirn++) {
		dir_clear(&c->dir[dirn]);
		c->dir[dirn].src_done = 1;
		c->dir[dirn].blocked = 0;       /* nothing left to write: no EPOLLOUT */
	}
}

/* A stall: forward nothing more, keep both sockets open until the client
 * closes (handle_event) or the proxy exits. */
static void stall_begin(struct conn *c)
{
	forward_stop(c);
	c->stalled = 1;
	stats.stalls++;
}

/* A reset: forward nothing more, but keep the sockets until the N bytes
 * have left (reset_drained). */
static void reset_begin(struct conn *c, uint64_t now)
{
	forward_stop(c);
	c->draining = 1;
	c->drain_left = INT_MAX;
	c->drain_stall_ns = now + RESET_STALL_NS;
}

/* Have the N bytes left our send buffer, where a RST would discard them?
 * Sent is enough: on loopback a sent byte is in the client's receive
 * queue, and a RST arriving behind it leaves it readable. A client that
 * takes nothing for RESET_STALL_NS may never read again: reset anyway. */
static int reset_drained(struct conn *c, uint64_t now)
{
	int left;

	if (ioctl(c->fd[CLIENT], SIOCOUTQNSD, &left) < 0 || left <= 0)
		return 1;
	if (left < c->drain_left) {
		c->drain_left = left;
		c->drain_stall_ns = now + RESET_STALL_NS;
	}
	return now >= c->drain_stall_ns;
}

/* SO_LINGER {1, 0} makes close() abort the connection with a RST instead
 * of a FIN; conn_free() does the closing. */
static void conn_reset(struct conn *c)
{
	static const struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	int side;

	for (side = CLIENT; side <= SERVER; side++)
		if (c->fd[side] >= 0)
			(void)setsockopt(c->fd[side], SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	c->failed = 1;
	stats.resets++;
}

static uint32_t want_events(const struct conn *c, int side)
{
	/* side reads for direction `side` and writes for direction 1 - side */
	const struct direction *rd = &c->dir[side], *wr = &c->dir[1 - side];
	uint32_t ev = 0;

	if (side == SERVER && c->connecting)
		return EPOLLOUT;
	/* Stalled: only a client hang-up matters. Not EPOLLIN, which data the
	 * client still sends would raise forever. A client that shut down its
	 * sending side already has RDHUP raised, and closing after that tells
	 * us nothing: watch nothing then. */
	if (c->stalled)
		return side == CLIENT && !c->dir[UP].src_eof ? EPOLLRDHUP : 0;
	if (!rd->src_done && rd->queued < QUEUE_MAX)
		ev |= EPOLLIN;
	if (wr->blocked && !wr->dst_done)
		ev |= EPOLLOUT;
	return ev;
}

/* Bring the epoll registration of one socket in line with what the
 * connection now waits for. A socket we want nothing from is removed, not
 * left with an empty mask: epoll reports hang-ups regardless of the mask,
 * and a hung-up socket would wake us forever. */
static int conn_arm(int epfd, struct conn *c, int side)
{
	uint32_t want = want_events(c, side);
	struct epoll_event ev;
	int op;

	if (want == c->armed[side])
		return 0;
	if (want == 0)
		op = EPOLL_CTL_DEL;
	else if (c->armed[side] == 0)
		op = EPOLL_CTL_ADD;
	else
		op = EPOLL_CTL_MOD;
	memset(&ev, 0, sizeof(ev));
	ev.events = want;
	ev.data.ptr = &c->ep[side];
	if (epoll_ctl(epfd, op, c->fd[side], &ev) < 0) {
		fprintf(stderr, "fault_proxy: epoll_ctl: %s\n", strerror(errno));
		return -1;
	}
	c->armed[side] = want;
	return 0;
}

static void accept_all(struct opts *o, int lfd, struct conn **conns,
		       const struct sockaddr_storage *target, socklen_t target_len)
{
	struct conn *c;
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fprintf(stderr, "fault_proxy: accept: %s\n", strerror(errno));
			return;
		}
		c = conn_new(fd, target, target_len, o->blackhole);
		if (c == NULL) {
			close(fd);
			continue;
		}
		/* stats.connections: how many were accepted before this one */
		if (o->fault != FAULT_NONE && o->fault_left > 0) {
			c->fault = o->fault;
			c->fault_at = o->fault_after_bytes;
			if (o->fault_left != EVERY_CONNECTION)
				o->fault_left--;
		}
		stats.connections++;
		c->next = *conns;
		*conns = c;
	}
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	/* two descriptors per connection: the default 1024 would cap us
	 * near 500 connections for no reason */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* One socket has events: finish a pending connect, note that a blocked
 * write may go on, read what arrived. */
static void handle_event(const struct opts *o, struct conn *c, int side, uint32_t rev,
			 uint64_t now)
{
	socklen_t elen;
	int err;

	if (side == SERVER && c->connecting) {
		err = 0;
		elen = sizeof(err);
		if (getsockopt(c->fd[SERVER], SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			err = errno;
		if (err != 0) {
			fprintf(stderr, "fault_proxy: cannot connect to %s: %s\n", o->target,
				strerror(err));
			c->failed = 1;
		} else {
			c->connecting = 0;
		}
		return;
	}
	/* A stalled client hung up (closed, or reset): close the server side
	 * too, freeing the pair on the next pass; or, --hold-stalled, close
	 * the client's only and keep the server's until exit (out of epoll,
	 * watched for nothing). Nothing else is watched. */
	if (c->stalled) {
		if (side != CLIENT || !(rev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
			return;
		if (!o->hold_server || c->fd[SERVER] < 0) {
			c->failed = 1;
			return;
		}
		close(c->fd[CLIENT]);   /* closing removes it from epoll */
		c->fd[CLIENT] = -1;
		c->armed[CLIENT] = 0;
		c->dir[UP].src_eof = 1; /* want_events: nothing more from it */
		return;
	}
	/* Errors and hang-ups surface through the read or write they make fail. */
	if (rev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		c->dir[1 - side].blocked = 0;
	if (rev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		if (conn_read(o, c, side, now) < 0) {
			fprintf(stderr, "fault_proxy: out of memory, dropping a connection\n");
			c->failed = 1;
		}
	}
}

/* The proxy while it runs: its sockets and connections, for the event
 * loop and the control commands. */
struct proxy {
	struct opts *o;
	int epfd;
	int lfd;                        /* the listener, -1 while refusing */
	int port;                       /* where it listens, also while refusing */
	int ctlfd;                      /* the control FIFO, -1 without --control */
	struct conn *conns;
	char line[CONTROL_LINE];        /* a control line read in part */
	size_t line_len;
	int line_too_long;              /* dropping the rest of an overlong line */
};

/* What an epoll event points at when it is not a connection's socket. */
static struct endpoint listener_mark, control_mark;

static int listener_on(struct proxy *px)
{
	struct epoll_event ev;

	if (px->lfd >= 0)
		return 0;
	px->lfd = open_listener(px->port, &px->port);
	if (px->lfd < 0)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &listener_mark;
	if (epoll_ctl(px->epfd, EPOLL_CTL_ADD, px->lfd, &ev) < 0) {
		fprintf(stderr, "fault_proxy: epoll_ctl: %s\n", strerror(errno));
		close(px->lfd);
		px->lfd = -1;
		return -1;
	}
	return 0;
}

/* Closing the socket takes it out of epoll; connects are refused from now. */
static void listener_off(struct proxy *px)
{
	if (px->lfd >= 0)
		close(px->lfd);
	px->lfd = -1;
}

/* Give every open connection that is still forwarding the fault f after
 * n more bytes server->client (FAULT_NONE: take a pending one back). */
static void fault_open_connections(struct proxy *px, enum fault f, uint64_t n)
{
	struct conn *c;

	for (c = px->conns; c != NULL; c = c->next) {
		if (c->failed || c->draining || c->stalled)
			continue;
		c->fault = f;
		c->fault_at = c->dir[DOWN].written + n;
	}
}

/* Read "WORD N [C]"'s numbers: words[1] as N, words[2] (if there) as C. */
static int fault_numbers(char **words, int nwords, uint64_t *n, uint64_t *conns)
{
	*conns = EVERY_CONNECTION;
	if (nwords < 2 || nwords > 3 || opt_u64(words[1], UINT64_MAX, n) < 0)
		return -1;
	if (nwords == 3) {
		if (opt_u64(words[2], UINT64_MAX, conns) < 0)
			return -1;
		if (*conns == 0)
			*conns = EVERY_CONNECTION;
	}
	return 0;
}

/* Carry out one control line (see usage()). Returns 0, or -1 with why in
 * err (the mode is then as it was). */
static int control_apply(struct proxy *px, char *line, const char **err)
{
	struct opts *o = px->o;
	char *words[4], *save = NULL, *w;
	int nwords = 0;
	uint64_t n, conns, d, j = 0;
	struct conn *c;

	for (w = strtok_r(line, " \t\r", &save); w != NULL; w = strtok_r(NULL, " \t\r", &save)) {
		if (nwords == 4) {
			*err = "too many words";
			return -1;
		}
		words[nwords++] = w;
	}
	*err = "bad arguments";
	if (nwords == 0) {
		*err = "empty command";
		return -1;
	}
	if (strcmp(words[0], "delay") == 0) {
		if (nwords < 2 || nwords > 3 || parse_ms(words[1], &d) < 0 ||
		    (nwords == 3 && parse_ms(words[2], &j) < 0))
			return -1;
		o->delay_ns = d;
		o->jitter_ns = j;
	} else if (strcmp(words[0], "trickle") == 0) {
		if (nwords != 2 || opt_u64(words[1], UINT32_MAX, &n) < 0)
			return -1;
		o->bandwidth_bps = n * 8;
	} else if (strcmp(words[0], "reset") == 0 || strcmp(words[0], "stall") == 0) {
		if (fault_numbers(words, nwords, &n, &conns) < 0)
			return -1;
		o->fault = words[0][0] == 'r' ? FAULT_RESET : FAULT_STALL;
		o->fault_after_bytes = n;
		o->fault_left = conns;
		fault_open_connections(px, o->fault, n);
	} else if (strcmp(words[0], "blackhole") == 0 && nwords == 1) {
		o->blackhole = 1;
		for (c = px->conns; c != NULL; c = c->next)
			if (!c->failed && !c->draining && !c->stalled)
				stall_begin(c);
	} else if (strcmp(words[0], "refuse") == 0 && nwords == 1) {
		o->refuse = 1;
		listener_off(px);
	} else if (strcmp(words[0], "pass") == 0 && nwords == 1) {
		if (listener_on(px) < 0) {
			*err = "cannot listen again";
			return -1;
		}
		o->refuse = 0;
		o->blackhole = 0;
		o->fault = FAULT_NONE;
		o->fault_left = 0;
		fault_open_connections(px, FAULT_NONE, 0);
	} else if (strcmp(words[0], "counts") == 0 && nwords == 1) {
		if (write_counts(o->count_file) < 0) {
			*err = "cannot write the counters";
			return -1;
		}
	} else {
		*err = "unknown command";
		return -1;
	}
	return 0;
}

/* Read what the control FIFO holds and carry out each whole line. The
 * FIFO is open for writing too, so it never reads as ended when a writer
 * closes. */
static void control_read(struct proxy *px)
{
	char buf[512], copy[CONTROL_LINE];
	const char *err;
	ssize_t n, i;

	for (;;) {
		n = read(px->ctlfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (px->line_len + 1 < sizeof(px->line))
					px->line[px->line_len++] = buf[i];
				else
					px->line_too_long = 1;
				continue;
			}
			px->line[px->line_len] = '\0';
			memcpy(copy, px->line, px->line_len + 1);
			if (px->line_too_long)
				printf("control: error: a line over %d bytes\n", CONTROL_LINE - 1);
			else if (control_apply(px, px->line, &err) < 0)
				printf("control: error: %s: '%s'\n", err, copy);
			else
				printf("control: ok %s\n", copy);
			fflush(stdout);
			px->line_len = 0;
			px->line_too_long = 0;
		}
	}
}

/* Make (if missing) and open the control FIFO and watch it. Returns 0 or -1. */
static int control_open(struct proxy *px, const char *path)
{
	struct epoll_event ev;
	struct stat st;

	if (mkfifo(path, 0600) < 0 && errno != EEXIST)
		goto fail;
	if (stat(path, &st) < 0)
		goto fail;
	if (!S_ISFIFO(st.st_mode)) {
		fprintf(stderr, "fault_proxy: --control %s is not a FIFO\n", path);
		return -1;
	}
	px->ctlfd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (px->ctlfd < 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &control_mark;
	if (epoll_ctl(px->epfd, EPOLL_CTL_ADD, px->ctlfd, &ev) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "fault_proxy: cannot open --control %s: %s\n", path, strerror(errno));
	return -1;
}

/* The event loop. Returns 0 when a signal asked to stop, -1 on a fatal error.
 *
 * Sockets are watched with epoll, so a wake-up costs the kernel work for
 * the sockets that are ready, not for every open one; but the wait itself
 * is a ppoll() on the epoll descriptor, for its nanosecond timeout (delays
 * are in ms, and epoll_wait's millisecond timeout would round each one) and
 * its atomic signal mask. */
static int run(struct proxy *px, const struct sockaddr_storage *target,
	       socklen_t target_len, const sigset_t *wait_mask)
{
	struct opts *o = px->o;
	struct conn *c, **pp;
	struct epoll_event evs[MAX_EVENTS];
	struct pollfd pfd;
	struct timespec ts, *tsp;
	struct endpoint *ep;
	uint64_t now, next;
	int rc = 0, side, epfd = px->epfd, n, i;

	while (!got_exit) {
		if (got_dump) {
			got_dump = 0;
			(void)write_counts(o->count_file);
		}

		/* Deliver what is due, free finished pairs, find the next
		 * deadline, and watch for what each connection now waits on. */
		now = now_ns();
		next = UINT64_MAX;
		for (pp = &px->conns; (c = *pp) != NULL;) {
			if (!c->connecting && !c->failed && !c->draining && !c->stalled) {
				conn_flush(c, UP, now);
				conn_flush(c, DOWN, now);
				if (fault_reached(c)) {
					if (c->fault == FAULT_STALL)
						stall_begin(c);
					else
						reset_begin(c, now);
				} else {
					conn_settle(c, UP);
					conn_settle(c, DOWN);
				}
			}
			if (c->draining && !c->failed) {
				if (reset_drained(c, now))
					conn_reset(c);
				else if (now + RESET_POLL_NS < next)
					next = now + RESET_POLL_NS;
			}
			if (conn_finished(c)) {
				*pp = c->next;
				conn_free(c);   /* closing removes its sockets from epoll */
				continue;
			}
			for (side = UP; side <= DOWN; side++) {
				const struct direction *d = &c->dir[side];

				if (d->head != NULL && !d->blocked && !d->dst_done &&
				    !c->connecting && d->head->due_ns < next)
					next = d->head->due_ns;
			}
			if (conn_arm(epfd, c, CLIENT) < 0 || conn_arm(epfd, c, SERVER) < 0) {
				c->failed = 1;  /* freed on the next pass, right away */
				next = now;
			}
			pp = &c->next;
		}

		if (next == UINT64_MAX) {
			tsp = NULL;
		} else {
			uint64_t wait = next > now ? next - now : 0;

			ts.tv_sec = (time_t)(wait / 1000000000ull);
			ts.tv_nsec = (long)(wait % 1000000000ull);
			tsp = &ts;
		}
		pfd.fd = epfd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, tsp, wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "fault_proxy: poll: %s\n", strerror(errno));
			rc = -1;
			break;
		}
		if (pfd.revents == 0)
			continue;       /* a deadline, not an event */
		n = epoll_wait(epfd, evs, MAX_EVENTS, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "fault_proxy: epoll_wait: %s\n", strerror(errno));
			rc = -1;
			break;
		}

		/* One arrival time per wake-up: all data read now arrived
		 * within the microseconds since the wait returned. No
		 * connection is freed before the next pass, so every event's
		 * pointer is still good. */
		now = now_ns();
		for (i = 0; i < n; i++) {
			ep = evs[i].data.ptr;
			if (ep == &listener_mark) {
				if (px->lfd >= 0)       /* not closed by a command just now */
					accept_all(o, px->lfd, &px->conns, target, target_len);
			} else if (ep == &control_mark) {
				control_read(px);
			} else {
				handle_event(o, ep->c, ep->side, evs[i].events, now);
			}
		}
	}

	while ((c = px->conns) != NULL) {
		px->conns = c->next;
		conn_free(c);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sockaddr_storage target;
	socklen_t target_len;
	struct sigaction sa;
	sigset_t block, wait_mask;
	struct proxy px;
	int rc;

	rc = parse_opts(argc, argv, &o);
	if (rc != 0)
		return rc == OPT_HELP ? 0 : 2;
	rng_state = o.seed;
	if (resolve_target(o.target, &target, &target_len) < 0)
		return 1;
	raise_fd_limit();
	/* The default 50 us timer slack is noise next to a delay of
	 * milliseconds, but there is no reason to add it. */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

	/* Signals stay blocked except inside ppoll(), so a flag set by a
	 * handler is always seen before the loop sleeps again. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGUSR1);

	memset(&px, 0, sizeof(px));
	px.o = &o;
	px.lfd = -1;
	px.ctlfd = -1;
	px.port = o.listen_port;
	px.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (px.epfd < 0) {
		fprintf(stderr, "fault_proxy: epoll_create1: %s\n", strerror(errno));
		return 1;
	}
	if (listener_on(&px) < 0 || (o.control != NULL && control_open(&px, o.control) < 0))
		return 1;
	printf("listening on 127.0.0.1:%d\n", px.port);
	fflush(stdout);

	rc = run(&px, &target, target_len, &wait_mask);
	listener_off(&px);
	if (px.ctlfd >= 0)
		close(px.ctlfd);
	close(px.epfd);
	fprintf(stderr, "fault_proxy: chunks=%" PRIu64 " late_mean_us=%" PRIu64
		" late_max_us=%" PRIu64 " late_over_1ms=%" PRIu64 "\n", stats.chunks,
		stats.chunks ? stats.late_sum_ns / stats.chunks / 1000 : 0, stats.late_max_ns / 1000,
		stats.late_over_1ms);
	if (write_counts(o.count_file) < 0 && rc == 0)
		rc = -1;
	return rc == 0 ? 0 : 1;
}
