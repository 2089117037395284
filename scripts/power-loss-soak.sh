#!/usr/bin/env bash
# The power-loss soak (issue #16): runs the ignored test `store::tests_power_loss::soak`,
# which records mixed workloads through the real writer on a simulated disk, cuts the
# power at many points (unsynced writes dropped, torn or reordered by 4 KiB page) and
# checks every acknowledged message after redb's recovery. A round takes a new seed
# (the first one plus the round number); a failure prints its seed, crash point and
# mode, and saves the broken image under the system's temporary directory. Rounds
# with an odd seed run the writer with quick repair (`--quick-repair`).
#
# Usage: scripts/power-loss-soak.sh [POINTS] [SECONDS] [SEED]
#   POINTS   crash points to check, default 20000 (env DESKBELL_POWER_LOSS_POINTS)
#   SECONDS  stop starting rounds after this long, default 600
#            (env DESKBELL_POWER_LOSS_SECONDS)
#   SEED     first seed, default random (env DESKBELL_POWER_LOSS_SEED)
set -euo pipefail
cd "$(dirname "$0")/.."
export DESKBELL_POWER_LOSS_POINTS=${1:-${DESKBELL_POWER_LOSS_POINTS:-20000}}
export DESKBELL_POWER_LOSS_SECONDS=${2:-${DESKBELL_POWER_LOSS_SECONDS:-600}}
if [ -n "${3:-}" ]; then
    export DESKBELL_POWER_LOSS_SEED=$3
fi
exec cargo test --lib store::tests_power_loss::soak -- --ignored --exact --nocapture
