#!/usr/bin/env bash
# Build hygiene: every quoted #include in the C++ sources (sysc, host, bench, rtl,
# tests; the firmware has its own include path) names a file by its path from the
# project root, or is a header the build generates. A bare "png.h" would be found
# only through a folder's include path, where it shadows a system header.
set -uo pipefail
ROOT=${1:?usage: include_roots_test.sh SOURCE_DIR}
cd "$ROOT" || exit 2
generated='^(mind1024_regs\.h|mind1024_version\.h|mind1024_board\.h|data_paths\.h|V[A-Za-z0-9_]+\.h|verilated[a-z_]*\.h)$'
bad=0
while IFS= read -r hit; do
  file=${hit%%:*}
  # (bash's own match: a sed per line made this test take 13 s)
  [[ $hit =~ \#[[:space:]]*include[[:space:]]+\"([^\"]+)\" ]] || continue
  inc=${BASH_REMATCH[1]}
  [[ $inc =~ $generated ]] && continue
  [ -f "$inc" ] && continue
  echo "$file: #include \"$inc\" is not a path from the project root" >&2
  bad=1
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' sysc host bench rtl tests \
           --include='*.h' --include='*.cpp' --include='*.c' | grep -v '^tests/firmware/')
[ $bad = 0 ] && echo "every quoted include is a path from the project root"
exit $bad
