# Sourced by make test: where the tests find the PostgreSQL server started by scripts/start-postgres.sh.
export QINGGONG_TEST_PG="${QINGGONG_TEST_PG:-postgresql://qinggong:qinggong@127.0.0.1:5432/qinggong_test}"
