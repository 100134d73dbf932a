#!/usr/bin/env bash
# Make the DEVELOPMENT SoftHSM2 token `hocba-dev` and import the public development keys into
# it, for the tests and for trying `--keys 'pkcs11:…'` by hand.
#
#   keys/dev/softhsm/load.sh TOKEN_DIR              # the school token `hocba-dev`
#   keys/dev/softhsm/load.sh TOKEN_DIR principals   # one token per demo principal
#
# `principals` adds, beside whatever TOKEN_DIR holds already, one token `principal-<code>` per
# keys/dev/pki/principal-<code>.key.pem, holding that principal's personal key labelled
# `principal-<code>`, with the user PIN of keys/dev/softhsm/principal-pin.txt (PUBLIC too). The
# school token never holds a principal's key: the principal's key is unlocked by the
# principal's own PIN, given when signing (`serve --principal-token`), not by the school's.
#
# TOKEN_DIR gets its own softhsm2.conf (export SOFTHSM2_CONF=TOKEN_DIR/softhsm2.conf before
# using the token) and the token files. Imported, each as a private-key object (CKA_SENSITIVE,
# not CKA_EXTRACTABLE) with its public-key object, labelled by file name without `.pem`:
#   * keys/dev/school-<code>.pem           → Ed25519 `school-<code>` (the credential keys)
#   * keys/dev/pki/*.pem holding a private key, when that folder exists (the seal keys of the
#     development PKI; not the principals' keys, see `principals` above) → RSA / P-256,
#     labelled by file name without `.pem` (`-key`/`.key` dropped).
# The user PIN is keys/dev/softhsm/pin.txt and the SO PIN is fixed below: both are PUBLIC. This
# is a development token; a school's real token has its own PINs, never written in a file in git.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dev="$(dirname "$here")"
out="${1:?usage: $0 TOKEN_DIR [principals]}"
mode="${2:-school}"
label="${HOCBA_TOKEN_LABEL:-hocba-dev}"
so_pin="87654321"

mkdir -p "$out/tokens"
out="$(cd "$out" && pwd)"
cat >"$out/softhsm2.conf" <<CONF
directories.tokendir = $out/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF="$out/softhsm2.conf"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
n=0
import() { # FILE LABEL [TOKEN PIN]
  # softhsm2-util reads PKCS#8 only: convert PKCS#1 / SEC1 files first.
  openssl pkey -in "$1" -out "$tmp/k.pem" 2>/dev/null || { echo "skipped $1 (not a private key openssl reads)" >&2; return 0; }
  n=$((n + 1))
  softhsm2-util --import "$tmp/k.pem" --token "${3:-$label}" --label "$2" \
    --id "$(printf '%04x' "$n")" --pin "${4:-$pin}" >/dev/null
  echo "imported $(basename "$1") as $2${3:+ on token $3}"
}

if [ "$mode" = principals ]; then
  ppin="$(head -n1 "$here/principal-pin.txt")"
  found=0
  for f in "$dev"/pki/principal-*.pem; do
    [ -e "$f" ] || continue
    grep -q "PRIVATE KEY" "$f" || continue
    name="$(basename "$f" .pem)"
    name="${name%.key}"
    softhsm2-util --init-token --free --label "$name" --pin "$ppin" --so-pin "$so_pin" >/dev/null
    import "$f" "$name" "$name" "$ppin"
    found=$((found + 1))
  done
  echo "$found principal token(s) in $out (export SOFTHSM2_CONF=$out/softhsm2.conf)"
  exit 0
elif [ "$mode" != school ]; then
  echo "usage: $0 TOKEN_DIR [principals]" >&2
  exit 2
fi

pin="$(head -n1 "$here/pin.txt")"
softhsm2-util --init-token --free --label "$label" --pin "$pin" --so-pin "$so_pin" >/dev/null

for f in "$dev"/school-*.pem; do
  case "$f" in *.pub.pem) continue ;; esac
  name="$(basename "$f" .pem)"
  import "$f" "$name"
done

if [ -d "$dev/pki" ]; then
  for f in "$dev"/pki/*.pem; do
    [ -e "$f" ] || continue
    grep -q "PRIVATE KEY" "$f" || continue
    name="$(basename "$f" .pem)"
    name="${name%-key}"
    name="${name%.key}"
    # A principal's personal key goes on the principal's own token (mode `principals`).
    case "$name" in principal-*) continue ;; esac
    import "$f" "$name"
  done
else
  echo "no $dev/pki (the development PKI): only the credential keys were imported" >&2
fi

echo "token $label in $out (export SOFTHSM2_CONF=$out/softhsm2.conf)"
