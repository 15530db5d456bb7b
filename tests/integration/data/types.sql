-- Every column type a billing schema uses, one row of edge values.
-- Loaded by test_sync_data.sh into dev_billing_event.
CREATE TABLE all_types (
  id bigint unsigned NOT NULL,
  u64 bigint unsigned,
  i64 bigint,
  i32 int,
  dec38 decimal(38,10),
  dbl double,
  flt float,
  dt6 datetime(6),
  d date,
  t time,
  ts timestamp NULL,
  y year,
  b bit(10),
  b64 bit(64),
  e enum('debit','credit'),
  st set('a','b','c'),
  j json,
  txt text,
  bin binary(4),
  vbin varbinary(8),
  bl blob,
  nul int,
  y0 year,
  zf int(6) zerofill,
  fz double(10,1) zerofill,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
SET time_zone = '+00:00';
INSERT INTO all_types VALUES (
  1, 18446744073709551615, -9223372036854775808, -2147483648,
  -1234567890123456789012345678.0123456789, -1.5e300, 3.25,
  '2026-11-21 08:34:27.123456', '2026-02-28', '-838:59:59',
  '2038-01-19 03:14:07', 2155, b'1010101010', b'1111111111111111111111111111111111111111111111111111111111111111',
  'credit', 'a,c', '{"k": [1, 2.5, "x"], "q": "\\"quoted\\""}',
  CONCAT('quote " backslash \\ newline', CHAR(10), 'tab', CHAR(9), 'cr', CHAR(13), 'ctrl', CHAR(1), CHAR(31), ' caf', _utf8mb4 0xC3A9, ' ', _utf8mb4 0xE697A5E69CAC, ' ', _utf8mb4 0xF09F9880),
  0x00FF7F80, '', @blob, NULL, 0, 42, 3.5);
