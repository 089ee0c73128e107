#!/usr/bin/env bash
# Builds the driver and the benchmarks, then runs the driver benchmarks (Warden vs raw pgjdbc on one embedded
# PostgreSQL; by default the two take turns, iteration by iteration, inside one JVM) and prints a Markdown table.
# Extra arguments go to dev.warden.bench.driver.DriverBenchmarks,
# e.g. --rounds 3, --only pointSelect,insert, --prof gc, --separate-forks.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# the shaded jar replaces the module's own jar: left in place, the next package (when the benchmark classes did
# not change) shades it again and its stale copy of the driver classes wins over the freshly built driver
rm -f benchmarks/target/benchmarks.jar benchmarks/target/original-benchmarks.jar
mvn -B -q -pl driver,benchmarks -am package -DskipTests
exec java -Dwarden.example="$root/policy-examples/customers" \
    -cp benchmarks/target/benchmarks.jar dev.warden.bench.driver.DriverBenchmarks "$@"
