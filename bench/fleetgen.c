/*
 * fleetgen: writes SQL that builds a billing fleet to benchmark against.
 *
 * For each environment it drops and recreates a schema of that name holding
 * N tables cycling through billing shapes (invoices, ledger lines, events,
 * payments, fee summaries, rate plans, attachments, tax rates), named after
 * their shape and 1-based position: invoice_0001, ledger_entry_0002, ...
 * The shapes exercise what SHOW CREATE TABLE has to print: DECIMAL(19,4),
 * BIGINT UNSIGNED AUTO_INCREMENT, JSON, DATETIME(6), ENUM, BLOB, composite
 * primary keys, unique and secondary indexes, foreign keys, comments.
 *
 * Determinism: a table's shape depends only on the seed and its position,
 * so every environment (and --list) agrees on the table names; the rows
 * also depend on the environment name, so environments differ in data and
 * AUTO_INCREMENT like a real fleet does. Explicit ids with seeded gaps make
 * AUTO_INCREMENT land on a non-trivial value.
 *
 * Speed: checks are switched off and each table gets one multi-row INSERT
 * per ROWS_PER_INSERT rows, so loading is dominated by CREATE TABLE itself.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define ROWS_PER_INSERT 500
#define MAX_TABLES      99999   /* names carry at least 4 digits */

struct opts {
	char *envs;                 /* comma-separated, owned by argv */
	long tables;
	long rows;
	uint64_t seed;
	int list;
};

/* What a table looks like besides its template: chosen once per position. */
struct shape {
	int tmpl;
	long index;                 /* 1-based position in the table list */
	int extra_col;              /* has a nullable external_ref column */
	int varlen;                 /* length of that column */
	int fk;                     /* payment: has its foreign key */
	int explicit_charset;       /* spells out charset and collation */
};

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]; the modulo bias is irrelevant for test data. */
static long rng_range(struct rng *r, long lo, long hi)
{
	return lo + (long)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;     /* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

enum {
	T_INVOICE, T_LEDGER, T_EVENT, T_PAYMENT, T_FEE, T_RATE_PLAN,
	T_ATTACHMENT, T_TAX_RATE, T_COUNT
};

static const char *const tmpl_names[T_COUNT] = {
	"invoice", "ledger_entry", "billing_event", "payment", "fee_summary",
	"rate_plan", "invoice_attachment", "tax_rate"
};

static const char *const currencies[] = { "USD", "EUR", "GBP", "CAD", "JPY", "CHF" };
#define NCUR (sizeof(currencies) / sizeof(currencies[0]))

static void shape_of(uint64_t seed, long index, struct shape *sh)
{
	struct rng r = { seed ^ ((uint64_t)index * 0xd1b54a32d192ed03ull) };

	sh->index = index;
	sh->tmpl = (int)((index - 1) % T_COUNT);
	sh->extra_col = rng_range(&r, 0, 2) == 0;
	sh->varlen = (int)rng_range(&r, 2, 8) * 16;
	sh->fk = rng_range(&r, 0, 3) != 0;
	sh->explicit_charset = rng_range(&r, 0, 1);
}

static void table_name(const struct shape *sh, char *buf, size_t len)
{
	snprintf(buf, len, "%s_%04ld", tmpl_names[sh->tmpl], sh->index);
}

/* Ids of a table's rows in one environment: base + k * step. Payments need
 * the invoice table's ids, so this is a function rather than table state. */
static void id_seq(uint64_t env_seed, long index, long *base, long *step)
{
	struct rng r = { env_seed ^ ((uint64_t)index * 0x9e6c63d0676a9a99ull) };

	*base = rng_range(&r, 1, 250000);
	*step = rng_range(&r, 1, 9);
}

/* Write s as a backtick-quoted identifier, doubling embedded backticks. */
static void put_ident(FILE *f, const char *s)
{
	fputc('`', f);
	for (; *s != '\0'; s++) {
		if (*s == '`')
			fputc('`', f);
		fputc(*s, f);
	}
	fputc('`', f);
}

/* Write s as a single-quoted string literal. */
static void put_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void put_decimal(FILE *f, struct rng *r, long max_units)
{
	fprintf(f, "%ld.%04ld", rng_range(r, 0, max_units), rng_range(r, 0, 9999));
}

static void put_datetime6(FILE *f, struct rng *r)
{
	fprintf(f, "'%ld-%02ld-%02ld %02ld:%02ld:%02ld.%06ld'",
		rng_range(r, 2019, 2024), rng_range(r, 1, 12), rng_range(r, 1, 28),
		rng_range(r, 0, 23), rng_range(r, 0, 59), rng_range(r, 0, 59),
		rng_range(r, 0, 999999));
}

static void put_date(FILE *f, struct rng *r)
{
	fprintf(f, "'%ld-%02ld-%02ld'", rng_range(r, 2019, 2025), rng_range(r, 1, 12),
		rng_range(r, 1, 28));
}

static void put_timestamp(FILE *f, struct rng *r)
{
	fprintf(f, "'%ld-%02ld-%02ld %02ld:%02ld:%02ld'",
		rng_range(r, 2020, 2024), rng_range(r, 1, 12), rng_range(r, 1, 28),
		rng_range(r, 0, 23), rng_range(r, 0, 59), rng_range(r, 0, 59));
}

static void put_hex(FILE *f, struct rng *r, int nbytes)
{
	int i;

	fputs("X'", f);
	for (i = 0; i < nbytes; i++)
		fprintf(f, "%02x", (unsigned)(rng_next(r) & 0xff));
	fputc('\'', f);
}

static const char *pick(struct rng *r, const char *const *v, size_t n)
{
	return v[rng_next(r) % n];
}

#define PICK(r, arr) pick((r), (arr), sizeof(arr) / sizeof((arr)[0]))

/* ---- CREATE TABLE per template ----------------------------------------- */

static void create_table(FILE *f, const struct shape *sh)
{
	char name[64], ref[64];
	struct shape inv;

	table_name(sh, name, sizeof(name));
	fputs("CREATE TABLE ", f);
	put_ident(f, name);
	fputs(" (\n", f);
	switch (sh->tmpl) {
	case T_INVOICE:
		fputs("  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,\n"
		      "  account_id BIGINT UNSIGNED NOT NULL,\n"
		      "  invoice_number VARCHAR(32) NOT NULL,\n"
		      "  status ENUM('draft','open','paid','void','uncollectible') NOT NULL DEFAULT 'draft',\n"
		      "  currency CHAR(3) NOT NULL DEFAULT 'USD',\n"
		      "  amount_due DECIMAL(19,4) NOT NULL DEFAULT 0,\n"
		      "  amount_paid DECIMAL(19,4) NOT NULL DEFAULT 0,\n"
		      "  tax_amount DECIMAL(19,4) NULL,\n"
		      "  issued_at DATETIME(6) NOT NULL,\n"
		      "  due_date DATE NULL,\n"
		      "  memo TEXT NULL,\n", f);
		if (sh->extra_col)
			fprintf(f, "  external_ref VARCHAR(%d) NULL COMMENT 'id in the upstream ERP',\n",
				sh->varlen);
		fputs("  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
		      "  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n"
		      "  PRIMARY KEY (id),\n"
		      "  UNIQUE KEY uk_invoice_number (invoice_number),\n"
		      "  KEY idx_account_status (account_id, status),\n"
		      "  KEY idx_issued_at (issued_at)\n", f);
		fputs(") ENGINE=InnoDB", f);
		fprintf(f, " COMMENT='Customer invoices, one row per billing period (set %ld)'",
			sh->index);
		break;
	case T_LEDGER:
		fputs("  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,\n"
		      "  journal_id BIGINT UNSIGNED NOT NULL,\n"
		      "  account_code VARCHAR(64) NOT NULL,\n"
		      "  direction ENUM('debit','credit') NOT NULL,\n"
		      "  amount DECIMAL(19,4) NOT NULL,\n"
		      "  currency CHAR(3) NOT NULL,\n"
		      "  balance_after DECIMAL(19,4) NULL,\n"
		      "  posted_at DATETIME(6) NOT NULL,\n"
		      "  reference VARCHAR(128) NULL,\n"
		      "  reversed TINYINT(1) NOT NULL DEFAULT 0,\n", f);
		if (sh->extra_col)
			fprintf(f, "  external_ref VARCHAR(%d) NULL,\n", sh->varlen);
		fputs("  PRIMARY KEY (id),\n"
		      "  KEY idx_journal (journal_id),\n"
		      "  KEY idx_account_posted (account_code, posted_at)\n"
		      ") ENGINE=InnoDB COMMENT='Double-entry ledger lines; never updated, reversed by new lines'",
		      f);
		break;
	case T_EVENT:
		fputs("  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,\n"
		      "  event_uuid CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,\n"
		      "  event_type VARCHAR(64) NOT NULL,\n"
		      "  source ENUM('api','scheduler','webhook','migration') NOT NULL DEFAULT 'api',\n"
		      "  payload JSON NOT NULL,\n"
		      "  occurred_at DATETIME(6) NOT NULL,\n"
		      "  received_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n"
		      "  processed TINYINT(1) NOT NULL DEFAULT 0,\n"
		      "  PRIMARY KEY (id),\n"
		      "  UNIQUE KEY uk_event_uuid (event_uuid),\n"
		      "  KEY idx_type_occurred (event_type, occurred_at)\n"
		      ") ENGINE=InnoDB ROW_FORMAT=DYNAMIC COMMENT='Billing domain events as received'",
		      f);
		break;
	case T_PAYMENT:
		fputs("  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,\n"
		      "  invoice_id BIGINT UNSIGNED NOT NULL,\n"
		      "  method ENUM('card','sepa','ach','wire','credit_note') NOT NULL,\n"
		      "  amount DECIMAL(19,4) NOT NULL,\n"
		      "  currency CHAR(3) NOT NULL,\n"
		      "  provider_ref VARCHAR(96) NULL,\n"
		      "  paid_at DATETIME(6) NULL,\n"
		      "  failure_reason VARCHAR(255) NULL,\n"
		      "  PRIMARY KEY (id),\n"
		      "  UNIQUE KEY uk_provider_ref (provider_ref),\n"
		      "  KEY idx_invoice (invoice_id)", f);
		/* The invoice table of the same cycle sits T_PAYMENT places back. */
		if (sh->fk && sh->index > T_PAYMENT) {
			inv = *sh;
			inv.tmpl = T_INVOICE;
			inv.index = sh->index - T_PAYMENT;
			table_name(&inv, ref, sizeof(ref));
			fprintf(f, ",\n  CONSTRAINT fk_%s_invoice FOREIGN KEY (invoice_id) REFERENCES ",
				name);
			put_ident(f, ref);
			fputs(" (id) ON DELETE CASCADE", f);
		}
		fputs("\n) ENGINE=InnoDB", f);
		break;
	case T_FEE:
		fputs("  account_id BIGINT UNSIGNED NOT NULL,\n"
		      "  period_start DATE NOT NULL,\n"
		      "  fee_code VARCHAR(32) NOT NULL,\n"
		      "  quantity INT UNSIGNED NOT NULL DEFAULT 0,\n"
		      "  amount DECIMAL(19,4) NOT NULL DEFAULT 0,\n"
		      "  currency CHAR(3) NOT NULL,\n"
		      "  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n"
		      "  PRIMARY KEY (account_id, period_start, fee_code),\n"
		      "  KEY idx_fee_period (fee_code, period_start)\n"
		      ") ENGINE=InnoDB COMMENT='Fees per account and period, rebuilt nightly'", f);
		break;
	case T_RATE_PLAN:
		fputs("  id INT UNSIGNED NOT NULL AUTO_INCREMENT,\n"
		      "  code VARCHAR(48) NOT NULL,\n"
		      "  name VARCHAR(255) NOT NULL,\n"
		      "  billing_period ENUM('monthly','quarterly','yearly') NOT NULL DEFAULT 'monthly',\n"
		      "  unit_price DECIMAL(19,4) NOT NULL,\n"
		      "  currency CHAR(3) NOT NULL,\n"
		      "  active TINYINT(1) NOT NULL DEFAULT 1,\n"
		      "  metadata JSON NULL,\n"
		      "  valid_from DATE NOT NULL,\n"
		      "  valid_to DATE NULL,\n", f);
		if (sh->extra_col)
			fprintf(f, "  external_ref VARCHAR(%d) NULL,\n", sh->varlen);
		fputs("  PRIMARY KEY (id),\n"
		      "  UNIQUE KEY uk_code (code)\n"
		      ") ENGINE=InnoDB", f);
		break;
	case T_ATTACHMENT:
		fputs("  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,\n"
		      "  invoice_id BIGINT UNSIGNED NOT NULL,\n"
		      "  file_name VARCHAR(255) NOT NULL,\n"
		      "  mime_type VARCHAR(100) NOT NULL DEFAULT 'application/pdf',\n"
		      "  content MEDIUMBLOB NOT NULL,\n"
		      "  sha256 BINARY(32) NOT NULL,\n"
		      "  size_bytes INT UNSIGNED NOT NULL,\n"
		      "  uploaded_at DATETIME(6) NOT NULL,\n"
		      "  PRIMARY KEY (id),\n"
		      "  UNIQUE KEY uk_sha256 (sha256),\n"
		      "  KEY idx_invoice (invoice_id)\n"
		      ") ENGINE=InnoDB ROW_FORMAT=DYNAMIC COMMENT='Rendered invoice documents'", f);
		break;
	case T_TAX_RATE:
		fputs("  country CHAR(2) NOT NULL,\n"
		      "  region VARCHAR(16) NOT NULL DEFAULT '',\n"
		      "  valid_from DATE NOT NULL,\n"
		      "  rate DECIMAL(7,4) NOT NULL,\n"
		      "  kind ENUM('vat','gst','sales','none') NOT NULL,\n"
		      "  description VARCHAR(255) NULL,\n"
		      "  PRIMARY KEY (country, region, valid_from)\n"
		      ") ENGINE=InnoDB COMMENT='Tax rates by jurisdiction and start date'", f);
		break;
	}
	if (sh->explicit_charset)
		fputs(" DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci", f);
	fputs(";\n", f);
}

/* ---- rows per template --------------------------------------------------- */

static const char *insert_columns(int tmpl)
{
	switch (tmpl) {
	case T_INVOICE:
		return "(id, account_id, invoice_number, status, currency, amount_due, "
		       "amount_paid, tax_amount, issued_at, due_date, memo, created_at, updated_at)";
	case T_LEDGER:
		return "(id, journal_id, account_code, direction, amount, currency, "
		       "balance_after, posted_at, reference, reversed)";
	case T_EVENT:
		return "(id, event_uuid, event_type, source, payload, occurred_at, received_at, processed)";
	case T_PAYMENT:
		return "(id, invoice_id, method, amount, currency, provider_ref, paid_at, failure_reason)";
	case T_FEE:
		return "(account_id, period_start, fee_code, quantity, amount, currency, updated_at)";
	case T_RATE_PLAN:
		return "(id, code, name, billing_period, unit_price, currency, active, metadata, "
		       "valid_from, valid_to)";
	case T_ATTACHMENT:
		return "(id, invoice_id, file_name, mime_type, content, sha256, size_bytes, uploaded_at)";
	case T_TAX_RATE:
		return "(country, region, valid_from, rate, kind, description)";
	}
	return "";
}

/* One row's VALUES tuple. k is the row number (0-based): it keeps unique
 * keys unique whatever the random parts draw. */
static void put_row(FILE *f, const struct shape *sh, uint64_t env_seed, struct rng *r, long k)
{
	static const char *const statuses[] = { "draft", "open", "paid", "paid", "void", "uncollectible" };
	static const char *const accounts[] = { "1000-cash", "1200-receivables", "2100-deferred-revenue",
						"4000-revenue", "2200-tax-payable", "6100-fees" };
	static const char *const etypes[] = { "invoice.created", "invoice.paid", "payment.failed",
					      "subscription.renewed", "credit_note.issued" };
	static const char *const sources[] = { "api", "scheduler", "webhook", "migration" };
	static const char *const methods[] = { "card", "sepa", "ach", "wire", "credit_note" };
	static const char *const periods[] = { "monthly", "quarterly", "yearly" };
	static const char *const countries[] = { "US", "DE", "FR", "GB", "CA", "JP", "NL", "SE" };
	static const char *const kinds[] = { "vat", "gst", "sales", "none" };
	static const char *const memos[] = { "Thank you for your business.", "Net 30",
					     "Includes prorated seats", "Customer's PO #4471 \\ ref" };
	long base, step, id, ibase, istep;
	char buf[128];

	id_seq(env_seed, sh->index, &base, &step);
	id = base + k * step;
	fputc('(', f);
	switch (sh->tmpl) {
	case T_INVOICE:
		fprintf(f, "%ld, %ld, 'INV-%06ld-%ld', '%s', '%s', ", id, rng_range(r, 1, 90000),
			sh->index, id, PICK(r, statuses), currencies[rng_next(r) % NCUR]);
		put_decimal(f, r, 250000);
		fputs(", ", f);
		put_decimal(f, r, 250000);
		fputs(", ", f);
		if (rng_range(r, 0, 4) == 0)
			fputs("NULL", f);
		else
			put_decimal(f, r, 50000);
		fputs(", ", f);
		put_datetime6(f, r);
		fputs(", ", f);
		put_date(f, r);
		fputs(", ", f);
		put_str(f, PICK(r, memos));
		fputs(", ", f);
		put_timestamp(f, r);
		fputs(", ", f);
		put_timestamp(f, r);
		break;
	case T_LEDGER:
		fprintf(f, "%ld, %ld, '%s', '%s', ", id, rng_range(r, 1, 5000000), PICK(r, accounts),
			rng_range(r, 0, 1) ? "debit" : "credit");
		put_decimal(f, r, 100000);
		fprintf(f, ", '%s', ", currencies[rng_next(r) % NCUR]);
		put_decimal(f, r, 9000000);
		fputs(", ", f);
		put_datetime6(f, r);
		fprintf(f, ", 'JE-%ld-%ld', %ld", sh->index, k, rng_range(r, 0, 9) == 0 ? 1L : 0L);
		break;
	case T_EVENT:
		fprintf(f, "%ld, '%08lx-%04lx-4%03lx-%04lx-%012lx', '%s', '%s', ", id,
			(unsigned long)(rng_next(r) & 0xffffffff), (unsigned long)(rng_next(r) & 0xffff),
			(unsigned long)(rng_next(r) & 0xfff), (unsigned long)(0x8000 | (rng_next(r) & 0x3fff)),
			(unsigned long)k, PICK(r, etypes), PICK(r, sources));
		snprintf(buf, sizeof(buf), "%ld.%04ld", rng_range(r, 0, 99999), rng_range(r, 0, 9999));
		fprintf(f, "'{\"invoice_id\": %ld, \"amount\": \"%s\", \"currency\": \"%s\", "
			   "\"lines\": [{\"sku\": \"SKU-%ld\", \"qty\": %ld}], \"note\": \"it''s \\\\u00e9\"}', ",
			rng_range(r, 1, 900000), buf, currencies[rng_next(r) % NCUR],
			rng_range(r, 100, 999), rng_range(r, 1, 40));
		put_datetime6(f, r);
		fputs(", ", f);
		put_datetime6(f, r);
		fprintf(f, ", %ld", rng_range(r, 0, 1));
		break;
	case T_PAYMENT:
		/* Point at an id the matching invoice table really has. */
		id_seq(env_seed, sh->index - T_PAYMENT, &ibase, &istep);
		fprintf(f, "%ld, %ld, '%s', ", id, ibase + istep * (k / 2), PICK(r, methods));
		put_decimal(f, r, 250000);
		fprintf(f, ", '%s', ", currencies[rng_next(r) % NCUR]);
		if (rng_range(r, 0, 5) == 0)
			fputs("NULL, NULL, 'card_declined'", f);
		else {
			fprintf(f, "'pi_%ld_%ld_%016" PRIx64 "', ", sh->index, k, rng_next(r));
			put_datetime6(f, r);
			fputs(", NULL", f);
		}
		break;
	case T_FEE:
		fprintf(f, "%ld, '%ld-%02ld-01', 'FEE_%03ld', %ld, ", rng_range(r, 1, 90000),
			rng_range(r, 2021, 2024), rng_range(r, 1, 12), k, rng_range(r, 0, 100000));
		put_decimal(f, r, 50000);
		fprintf(f, ", '%s', ", currencies[rng_next(r) % NCUR]);
		put_timestamp(f, r);
		break;
	case T_RATE_PLAN:
		fprintf(f, "%ld, 'plan-%ld-%ld', 'Plan %ld tier %ld', '%s', ", id, sh->index, k,
			sh->index, k, PICK(r, periods));
		put_decimal(f, r, 5000);
		fprintf(f, ", '%s', %ld, ", currencies[rng_next(r) % NCUR], rng_range(r, 0, 3) ? 1L : 0L);
		if (rng_range(r, 0, 3) == 0)
			fputs("NULL", f);
		else
			fprintf(f, "'{\"seats\": %ld, \"features\": [\"api\", \"sso\"], \"trial_days\": %ld}'",
				rng_range(r, 1, 500), rng_range(r, 0, 30));
		fputs(", ", f);
		put_date(f, r);
		fputs(", ", f);
		if (rng_range(r, 0, 1))
			fputs("NULL", f);
		else
			put_date(f, r);
		break;
	case T_ATTACHMENT: {
		int n = (int)rng_range(r, 16, 96);

		fprintf(f, "%ld, %ld, 'invoice-%ld.pdf', '%s', ", id, rng_range(r, 1, 900000), id,
			rng_range(r, 0, 4) ? "application/pdf" : "image/png");
		put_hex(f, r, n);
		fputs(", ", f);
		/* k in the first bytes keeps the unique key unique */
		fprintf(f, "X'%016lx", (unsigned long)k);
		for (int i = 0; i < 24; i++)
			fprintf(f, "%02x", (unsigned)(rng_next(r) & 0xff));
		fprintf(f, "', %d, ", n);
		put_datetime6(f, r);
		break;
	}
	case T_TAX_RATE:
		fprintf(f, "'%s', 'R%ld', ", countries[k % 8], k);
		put_date(f, r);
		fprintf(f, ", %ld.%04ld, '%s', ", rng_range(r, 0, 27), rng_range(r, 0, 9999), PICK(r, kinds));
		if (rng_range(r, 0, 2) == 0)
			fputs("NULL", f);
		else
			fprintf(f, "'Standard rate %ld'", k);
		break;
	}
	fputc(')', f);
}

static void insert_rows(FILE *f, const struct shape *sh, const char *env, uint64_t seed, long rows)
{
	uint64_t env_seed = seed ^ hash_str(env);
	struct rng r = { env_seed ^ ((uint64_t)sh->index * 0xa0761d6478bd642full) };
	char name[64];
	long k;

	table_name(sh, name, sizeof(name));
	for (k = 0; k < rows; k++) {
		if (k % ROWS_PER_INSERT == 0) {
			fputs("INSERT INTO ", f);
			put_ident(f, name);
			fprintf(f, " %s VALUES\n", insert_columns(sh->tmpl));
		} else {
			fputs(",\n", f);
		}
		put_row(f, sh, env_seed, &r, k);
		if (k % ROWS_PER_INSERT == ROWS_PER_INSERT - 1 || k == rows - 1)
			fputs(";\n", f);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fleetgen --envs NAME[,NAME...] [--tables N] [--rows M] [--seed S]\n"
		"       fleetgen --list [--tables N] [--seed S]\n"
		"\n"
		"Write to stdout the SQL that (re)creates one schema per environment\n"
		"with N billing tables (default 300) of M rows each (default 5):\n"
		"DROP DATABASE IF EXISTS first, so loading it twice gives the same fleet.\n"
		"Same seed (default 1), same SQL. --list prints the N table names, one\n"
		"per line, in creation order.\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "envs", required_argument, NULL, 'e' },
		{ "tables", required_argument, NULL, 't' },
		{ "rows", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opt_parser p;
	int c;

	memset(o, 0, sizeof(*o));
	o->tables = 300;
	o->rows = 5;
	o->seed = 1;
	opt_init(&p, "fleetgen", argc, argv, longopts, usage);
	while ((c = opt_next(&p)) > 0) {
		switch (c) {
		case 'e':
			o->envs = p.arg;
			break;
		case 't':
			if (opt_long(p.arg, 1, MAX_TABLES, &o->tables) < 0)
				return opt_bad_value(&p);
			break;
		case 'r':
			if (opt_long(p.arg, 0, 100000000L, &o->rows) < 0)
				return opt_bad_value(&p);
			break;
		case 's':
			if (opt_u64(p.arg, UINT64_MAX, &o->seed) < 0)
				return opt_bad_value(&p);
			break;
		case 'l':
			o->list = 1;
			break;
		}
	}
	if (c < 0)
		return c;
	if (optind != argc || (!o->list && (o->envs == NULL || o->envs[0] == '\0')))
		return opt_usage_error(&p, "--envs or --list is required");
	return 0;
}

/* Environment names become schema names and are written quoted, but a name
 * a shell or a config file would mangle is more likely a typo than a wish.
 * Checked before any output, so a bad list produces no SQL at all. */
static int valid_env_list(const char *csv)
{
	size_t len = 0;

	for (;; csv++) {
		if (*csv == ',' || *csv == '\0') {
			if (len == 0 || len > 64)
				return 0;
			if (*csv == '\0')
				return 1;
			len = 0;
			continue;
		}
		if (!((*csv >= 'a' && *csv <= 'z') || (*csv >= 'A' && *csv <= 'Z') ||
		      (*csv >= '0' && *csv <= '9') || *csv == '_' || *csv == '$'))
			return 0;
		len++;
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	struct shape sh;
	char name[64], *env, *save = NULL;
	long i;
	int rc;

	rc = parse_opts(argc, argv, &o);
	if (rc != 0)
		return rc == OPT_HELP ? 0 : 2;

	if (o.list) {
		for (i = 1; i <= o.tables; i++) {
			shape_of(o.seed, i, &sh);
			table_name(&sh, name, sizeof(name));
			puts(name);
		}
		goto done;
	}

	if (!valid_env_list(o.envs)) {
		fprintf(stderr, "fleetgen: bad --envs '%s': names of letters, digits, _ and $,"
			" 1 to 64 long, separated by commas\n", o.envs);
		return 2;
	}
	fputs("-- generated by fleetgen: do not edit\n"
	      "SET NAMES utf8mb4;\n"
	      "SET foreign_key_checks=0;\n"
	      "SET unique_checks=0;\n"
	      "SET time_zone='+00:00';\n"
	      "SET sql_mode='STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION';\n", stdout);
	for (env = strtok_r(o.envs, ",", &save); env != NULL; env = strtok_r(NULL, ",", &save)) {
		fputs("DROP DATABASE IF EXISTS ", stdout);
		put_ident(stdout, env);
		fputs(";\nCREATE DATABASE ", stdout);
		put_ident(stdout, env);
		fputs(" DEFAULT CHARACTER SET utf8mb4;\nUSE ", stdout);
		put_ident(stdout, env);
		fputs(";\n", stdout);
		for (i = 1; i <= o.tables; i++) {
			shape_of(o.seed, i, &sh);
			create_table(stdout, &sh);
			insert_rows(stdout, &sh, env, o.seed, o.rows);
		}
	}
	fputs("SET foreign_key_checks=1;\nSET unique_checks=1;\n", stdout);
done:
	/* A full pipe or disk must not pass for a complete fleet. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "fleetgen: write error: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
