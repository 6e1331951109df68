#!/usr/bin/env bash
# Installs and starts a local PostgreSQL server for the hub's second engine, and prints the
# URL the tests read (KHUYENHOC_TEST_POSTGRES_URL). Idempotent; needs root (CI runs as root).
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start >&2 || {
    pg_createcluster "$version" main >&2 && pg_ctlcluster "$version" main start >&2
  }
fi
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q" && break
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='kh'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE kh LOGIN PASSWORD 'kh' CREATEDB\"" >&2
# DROP DATABASE … WITH (FORCE) in the tests' teardown may end a connection left open.
su postgres -c "psql -qc \"GRANT pg_signal_backend TO kh\"" >&2
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='khtest'\"" | grep -q 1 \
  || su postgres -c "createdb -O kh khtest" >&2
echo "postgresql+psycopg://kh:kh@127.0.0.1/khtest"
