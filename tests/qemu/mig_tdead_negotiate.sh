#!/usr/bin/env bash
# The target dies during the negotiate phase (docs/migration.md, failure): node
# 0 is started with migrate_delay=negotiate:40000 (a test knob: the source sleeps
# there), and node 1's QEMU is killed meanwhile. The move fails before the
# commit, so the process goes on at the source, exactly once: it passes
# there, its parent's wait gets 0, and node 0 counts one failed move.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_tdead_negotiate
cd "$CL_ROOT" || exit 1
mig_target_dies negotiate
mig_stays_at_source
cl_pass
