#!/bin/sh
# Back up or restore quorum's database with SQLite's online backup API,
# safe while quorum runs.
#   deploy/backup.sh backup  DB DIR    writes DIR/quorum-YYYYmmdd-HHMMSS.db
#   deploy/backup.sh restore FILE DB   (stop quorum first)
set -eu
usage() { echo "usage: $0 backup DB DIR | restore FILE DB" >&2; exit 2; }
[ $# -eq 3 ] || usage
case "$1" in
backup)
	mkdir -p "$3"
	out="$3/quorum-$(date -u +%Y%m%d-%H%M%S).db"
	sqlite3 "$2" ".backup '$out'"
	test "$(sqlite3 "$out" 'PRAGMA integrity_check')" = ok
	echo "$out"
	;;
restore)
	test "$(sqlite3 "$2" 'PRAGMA integrity_check')" = ok
	rm -f "$3-wal" "$3-shm"
	sqlite3 "$2" ".backup '$3'"
	echo "restored $2 to $3"
	;;
*)
	usage
	;;
esac
