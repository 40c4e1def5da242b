#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to PublicAPI.Unshipped.txt.
# Review the diff: the public API is meant to change only on purpose.
set -uo pipefail
project=${1:-src/PersistentTaskStatus}
file="$project/PublicAPI.Unshipped.txt"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build "$project" --no-incremental -p:TreatWarningsAsErrors=false > "$log" 2>&1
if grep -q " error " "$log"; then
  grep " error " "$log" | sort -u
  exit 1
fi
new=$(grep -oE "RS0016: Symbol '.*' is not part of the declared public API" "$log" |
  sed -E "s/RS0016: Symbol '(.*)' is not part of the declared public API/\1/" | sort -u)
if [ -n "$new" ]; then
  { grep -v '^#nullable' "$file"; printf '%s\n' "$new"; } | sort -u > "$file.tmp"
  { echo '#nullable enable'; cat "$file.tmp"; } > "$file"
  rm "$file.tmp"
fi
echo "$(grep -vc '^#' "$file") symbols declared in $file"
