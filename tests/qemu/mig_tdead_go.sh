#!/usr/bin/env bash
# The target dies while the one-shot request is in flight (docs/migration.md,
# failure): a process with almost no memory (migtest 0) moves in one GO that
# carries the offer, the state, the pages and PREPARE; node 1 is started with
# migrate_delay=go:60000 (a test knob: the target sleeps after building the
# process, before it answers; long, so that a loaded host still kills it in
# time), and its QEMU is killed meanwhile. The source never got the answer,
# so it never committed: the process goes on at the source, exactly once:
# it passes there, its parent's wait gets 0, and node 0 counts one failed
# move.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_tdead_go
cd "$CL_ROOT" || exit 1
mig_target_dies go 0 1 60000
mig_stays_at_source
cl_pass
