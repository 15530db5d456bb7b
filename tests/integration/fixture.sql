-- The integration tests' fleet, loaded into a schema named by @@ SCHEMA @@
-- substitution (see lib.sh): one file, every logical database's tables; the
-- table lists in the generated config pick which ones each environment has.
CREATE TABLE fee_summary (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  account_id bigint unsigned NOT NULL,
  amount decimal(19,4) NOT NULL DEFAULT 0.0000,
  currency char(3) NOT NULL DEFAULT 'EUR',
  note varchar(64) DEFAULT 'AUTO_INCREMENT=7' COMMENT 'looks like AUTO_INCREMENT=9',
  PRIMARY KEY (id),
  KEY ix_account (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='fees; AUTO_INCREMENT=5 is not an option';
INSERT INTO fee_summary (account_id, amount) VALUES (1, 10.5), (2, 20.25), (3, 30);

CREATE TABLE ledger_entry (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  entry_type enum('debit','credit') NOT NULL,
  amount decimal(38,10) NOT NULL,
  booked_at datetime(6) NOT NULL DEFAULT current_timestamp(6),
  payload json DEFAULT NULL,
  attachment blob,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO ledger_entry (entry_type, amount, payload) VALUES ('debit', 1.5, '{"a":1}');

CREATE TABLE flyway_schema_history (
  installed_rank int(11) NOT NULL,
  version varchar(50) DEFAULT NULL,
  description varchar(200) NOT NULL,
  type varchar(20) NOT NULL,
  script varchar(1000) NOT NULL,
  checksum int(11) DEFAULT NULL,
  installed_by varchar(100) NOT NULL,
  installed_on timestamp NOT NULL DEFAULT current_timestamp(),
  execution_time int(11) NOT NULL,
  success tinyint(1) NOT NULL,
  PRIMARY KEY (installed_rank),
  KEY flyway_schema_history_s_idx (success)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `odd``name` (
  id int NOT NULL AUTO_INCREMENT,
  `weird ``col` varchar(10) DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
INSERT INTO `odd``name` (id) VALUES (1);

CREATE TABLE event (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  occurred_at datetime(6) NOT NULL,
  body longblob,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO event (occurred_at) VALUES ('2026-01-01 00:00:00.123456');

CREATE TABLE invoice (
  invoice_no varchar(32) NOT NULL,
  issued_on date NOT NULL,
  total decimal(19,4) NOT NULL,
  PRIMARY KEY (invoice_no, issued_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
 PARTITION BY RANGE COLUMNS(issued_on)
(PARTITION p2025 VALUES LESS THAN ('2026-01-01') ENGINE = InnoDB,
 PARTITION pmax VALUES LESS THAN (MAXVALUE) ENGINE = InnoDB);
