#!/usr/bin/env bash
# Starts the Debian PostgreSQL cluster and creates the test role and database. Idempotent.
set -euo pipefail
SUDO=""; [ "$(id -u)" != "0" ] && SUDO="sudo"
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
  $SUDO pg_createcluster "$ver" main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="'"$ver"'" && $2=="main"{print $4}' | grep -q online; then
  $SUDO pg_ctlcluster "$ver" main start
fi
for i in $(seq 1 30); do
  $SUDO -u postgres true 2>/dev/null || true
  if runuser -u postgres -- pg_isready -q 2>/dev/null || pg_isready -q -h 127.0.0.1; then break; fi
  sleep 1
done
psql_as_postgres() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- psql -qtAX "$@"; else sudo -u postgres psql -qtAX "$@"; fi; }
if [ "$(psql_as_postgres -c "select 1 from pg_roles where rolname='qinggong'")" != "1" ]; then
  psql_as_postgres -c "create role qinggong login password 'qinggong' createdb"
fi
if [ "$(psql_as_postgres -c "select 1 from pg_database where datname='qinggong_test'")" != "1" ]; then
  psql_as_postgres -c "create database qinggong_test owner qinggong"
fi
echo "PostgreSQL 已就绪：postgresql://qinggong:***@127.0.0.1:5432/qinggong_test"
