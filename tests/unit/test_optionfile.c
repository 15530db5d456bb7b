/*
 * environments/optionfile: option files read as libmariadb reads them, and
 * refused when they are not fit to hold what they hold. Each test writes
 * its files into a scratch folder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "environments/optionfile.h"
#include "check.h"
#include "testutil.h"

static char *scratch;
static struct optionfile_facts facts;
static char why[512];

/* scratch/NAME, written with `text` and `mode`; the path is static. */
static const char *put(const char *name, const char *text, mode_t mode)
{
	static char paths[8][1100];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", scratch, name);
	if (file_put_str(p, text) != 0 || chmod(p, mode) != 0)
		abort();
	return p;
}

static int read_as(const char *path, const char *group)
{
	return optionfile_read(path, group, &facts, why, sizeof(why));
}

static void test_optionfile_missing_is_refused(void)
{
	char path[1100];

	snprintf(path, sizeof(path), "%s/none.cnf", scratch);
	ASSERT_EQ(read_as(path, NULL), -ENOENT);
	ASSERT_CONTAINS(why, path);
	ASSERT_CONTAINS(why, "does not exist");
}

static void test_optionfile_reads_client_groups_and_the_option_group(void)
{
	const char *p = put("a.cnf",
			    "# comment\n[mysqld]\nhost = elsewhere\n"
			    "[client]\nuser = u\n[client-mariadb]\nport=3307\n"
			    "[prod]\nsocket = /run/x.sock\nreconnect\n"
			    "[other]\npassword = not-read\n", 0644);

	ASSERT_EQ(read_as(p, "prod"), 0);
	ASSERT_TRUE(facts.group_found);
	ASSERT_TRUE(facts.user && facts.port && facts.socket && facts.reconnect);
	ASSERT_TRUE(!facts.host);       /* [mysqld] is not read */
	ASSERT_TRUE(!facts.password);   /* nor [other] */

	ASSERT_EQ(read_as(p, NULL), 0); /* no group: [prod] is not read */
	ASSERT_TRUE(!facts.socket && !facts.reconnect && facts.user);
}

static void test_optionfile_group_not_there_is_refused(void)
{
	const char *p = put("b.cnf", "[client]\nuser = u\n", 0600);

	ASSERT_EQ(read_as(p, "client-na-prod"), -ENODATA);
	ASSERT_CONTAINS(why, "has no [client-na-prod] group");
	ASSERT_CONTAINS(why, p);
}

static void test_optionfile_password_readable_by_others_is_refused(void)
{
	const char *p = put("c.cnf", "[client]\npassword = s3cret\n", 0644);

	ASSERT_EQ(read_as(p, NULL), -EPERM);
	ASSERT_CONTAINS(why, "holds a password and is readable by others (mode 0644)");
	ASSERT_TRUE(strstr(why, "s3cret") == NULL);
	p = put("c.cnf", "[client]\npassword = s3cret\n", 0600);
	ASSERT_EQ(read_as(p, NULL), 0);
	ASSERT_TRUE(facts.password);
	/* a password in a group libmariadb does not read does not count */
	p = put("c2.cnf", "[mysqldump]\npassword = s3cret\n[client]\nuser=u\n", 0644);
	ASSERT_EQ(read_as(p, NULL), 0);
}

static void test_optionfile_writable_by_others_is_refused(void)
{
	const char *p = put("d.cnf", "[client]\nuser = u\n", 0664);

	ASSERT_EQ(read_as(p, NULL), -EPERM);
	ASSERT_CONTAINS(why, "is writable by others (mode 0664)");
	p = put("d.cnf", "[client]\nuser = u\n", 0646);
	ASSERT_EQ(read_as(p, NULL), -EPERM);
}

static void test_optionfile_follows_includes_and_checks_each_file(void)
{
	char text[2400], dir[1100];
	const char *inc = put("inc.cnf", "[client]\npassword = s3cret\n", 0640);
	const char *p;

	snprintf(text, sizeof(text), "!include %s\n[client]\nuser = u\n", inc);
	p = put("e.cnf", text, 0600);
	ASSERT_EQ(read_as(p, NULL), -EPERM);
	ASSERT_CONTAINS(why, inc); /* the included file is named */
	put("inc.cnf", "[client]\npassword = s3cret\n", 0600);
	ASSERT_EQ(read_as(p, NULL), 0);
	ASSERT_TRUE(facts.password && facts.user);

	/* !includedir: its *.cnf files only */
	snprintf(dir, sizeof(dir), "%s/conf.d", scratch);
	ASSERT_EQ(mkdir(dir, 0755), 0);
	put("conf.d/tls.cnf", "[client]\nssl-ca = /ca.pem\nssl-verify-server-cert\n", 0600);
	put("conf.d/notes.txt", "[client]\nhost = nope\n", 0600);
	snprintf(text, sizeof(text), "!includedir %s\n[client]\nuser = u\n", dir);
	p = put("f.cnf", text, 0600);
	ASSERT_EQ(read_as(p, NULL), 0);
	ASSERT_TRUE(facts.tls && facts.tls_verify);
	ASSERT_TRUE(!facts.host);
}

static void test_optionfile_include_loop_is_refused(void)
{
	char text[1200];
	const char *p;

	snprintf(text, sizeof(text), "!include %s/loop.cnf\n", scratch);
	p = put("loop.cnf", text, 0600);
	ASSERT_EQ(read_as(p, NULL), -ELOOP);
	ASSERT_CONTAINS(why, "nest too deep");
}

/* max_allowed_packet: bytes, as libmariadb reads it; "16M" (16 bytes to
 * it) and values under 1024 are refused, naming file and line. */
static void test_optionfile_max_allowed_packet_in_bytes_only(void)
{
	const char *p = put("m.cnf", "[client]\nmax_allowed_packet = 16777216\n", 0600);

	ASSERT_EQ(read_as(p, NULL), 0);
	p = put("m.cnf", "[client]\nuser = x\nmax-allowed-packet = 16M\n", 0600);
	ASSERT_EQ(read_as(p, NULL), -EINVAL);
	ASSERT_CONTAINS(why, "m.cnf:3: max_allowed_packet = '16M'");
	ASSERT_CONTAINS(why, "in bytes");
	p = put("m.cnf", "[client]\nmax_allowed_packet = 512\n", 0600);
	ASSERT_EQ(read_as(p, NULL), -EINVAL);
	p = put("m.cnf", "[other]\nmax_allowed_packet = 1M\n", 0600);
	ASSERT_EQ(read_as(p, NULL), 0); /* a group libmariadb does not read */
}

static void test_optionfile_reconnect_off_and_underscores(void)
{
	const char *p = put("g.cnf", "[client]\nreconnect = 0\nssl_verify_server_cert = 1\n", 0600);

	ASSERT_EQ(read_as(p, NULL), 0);
	ASSERT_TRUE(!facts.reconnect);
	ASSERT_TRUE(facts.tls_verify);
}

/* What turns TLS on, where: the first such line is the one messages name;
 * ssl = 0 does not; ssl-verify-server-cert = 0 is said as off. */
static void test_optionfile_tls_lines_and_where_they_are(void)
{
	const char *p = put("t.cnf", "[client]\nssl = 0\n\n[client-x]\n"
			    "ssl-capath = /etc/ssl/certs\n"
			    "ssl-verify-server-cert = off\n", 0600);

	ASSERT_EQ(read_as(p, NULL), 0);
	ASSERT_TRUE(!facts.tls && !facts.tls_ca && facts.tls_off);
	ASSERT_EQ(read_as(p, "client-x"), 0);
	ASSERT_TRUE(facts.tls && facts.tls_ca && !facts.tls_verify);
	ASSERT_TRUE(facts.tls_noverify);
	ASSERT_EQ(facts.tls_line, 5);
	ASSERT_STR_EQ(facts.tls_file, p);
}

static void test_optionfile_directory_is_refused(void)
{
	char dir[1100];

	snprintf(dir, sizeof(dir), "%s/a-dir.cnf", scratch);
	ASSERT_EQ(mkdir(dir, 0700), 0);
	ASSERT_TRUE(read_as(dir, NULL) != 0);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	scratch = scratch_dir();
	RUN(test_optionfile_missing_is_refused);
	RUN(test_optionfile_reads_client_groups_and_the_option_group);
	RUN(test_optionfile_group_not_there_is_refused);
	RUN(test_optionfile_password_readable_by_others_is_refused);
	RUN(test_optionfile_writable_by_others_is_refused);
	RUN(test_optionfile_follows_includes_and_checks_each_file);
	RUN(test_optionfile_include_loop_is_refused);
	RUN(test_optionfile_reconnect_off_and_underscores);
	RUN(test_optionfile_max_allowed_packet_in_bytes_only);
	RUN(test_optionfile_tls_lines_and_where_they_are);
	RUN(test_optionfile_directory_is_refused);
	scratch_remove(scratch);
	return CHECK_EXIT();
}
