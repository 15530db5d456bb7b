"""pytype_check.py: compile each SQLAlchemy type pytype_check printed with
SQLAlchemy's own MySQL dialect and compare the DDL with the server's type.

  pytype_check FILES... | /usr/bin/python3 tests/tools/pytype_check.py

Every expression must evaluate in the namespace of sqlalchemy.dialects.mysql
(what a generated module imports) and compile to the server's type text,
compared without case and spaces, with the server's spellings of the same
type accepted (int for INTEGER). JSON columns (MariaDB's longtext with a
json_valid check) compile to JSON, which is what they are. Prints each
mismatch and refused type, then one line of counts; exits 1 on any
mismatch, and on refused types unless they are listed in --known (a file
of server types pytype does not yet support, one per line, with why).
"""
import re
import sys

from sqlalchemy.dialects import mysql

known = set()
if len(sys.argv) > 2 and sys.argv[1] == "--known":
    for line in open(sys.argv[2]):
        line = line.split("#", 1)[0].strip()
        if line:
            known.add(line)

dialect = mysql.dialect()
names = vars(mysql)
ok = bad = refused = tolerated = 0
types = set()


def norm(s):
    s = re.sub(r"\s+", "", s.lower())
    # the server's spellings of what SQLAlchemy writes
    return re.sub(r"^integer", "int", s)


for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    if len(f) != 7:
        print("bad line: %r" % line)
        bad += 1
        continue
    path, column, server, json_flag, sa, python, max_length = f
    types.add(server)
    if sa == "-":
        base = re.match(r"[a-z]+", server.lower())
        if base and base.group(0) in known:
            tolerated += 1
        else:
            print("refused: %s: %s: %s" % (path, column, server))
            refused += 1
        continue
    try:
        t = eval(sa, names)
        ddl = t.compile(dialect=dialect)
    except Exception as e:
        print("does not compile: %s: %s: %s: %s" % (path, column, sa, e))
        bad += 1
        continue
    want = "json" if json_flag == "1" else server
    if norm(ddl) != norm(want):
        print("differs: %s: %s: server %s, SQLAlchemy %s (from %s)"
              % (path, column, want, ddl, sa))
        bad += 1
        continue
    ok += 1

print("%d column(s) of %d distinct type(s): %d compile to the server's type, "
      "%d differ, %d refused, %d refused as known"
      % (ok + bad + refused + tolerated, len(types), ok, bad, refused,
         tolerated))
sys.exit(1 if bad or refused else 0)
